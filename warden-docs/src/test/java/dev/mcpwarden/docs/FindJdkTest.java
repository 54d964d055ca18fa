package dev.mcpwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK search shared by {@code ./warden} and {@code ./mvnw} (.mvn/find-jdk.sh): an older JDK in JAVA_HOME or on
 * PATH is passed over for a 21 or newer, and with none it says what it looked for.
 */
class FindJdkTest {

    @TempDir
    Path jvm;

    @Test
    void aJdk17InJavaHomeIsPassedOverForA21UnderTheJvmFolder() throws Exception {
        Path old = fakeJdk("java-17-openjdk-amd64", "17.0.15");
        Path jdk21 = fakeJdk("temurin-21-jdk-amd64", "21.0.9");
        Processes.Outcome o = find(Map.of("JAVA_HOME", old.toString()));
        assertThat(o.exitCode()).isZero();
        assertThat(o.output().strip()).isEqualTo(jdk21.toString());
    }

    @Test
    void withOnlyAJdk17ItFailsNamingWhereItLooked() throws Exception {
        Path old = fakeJdk("java-17-openjdk-amd64", "17.0.15");
        Processes.Outcome o = find(Map.of("JAVA_HOME", old.toString()));
        assertThat(o.exitCode()).isEqualTo(1);
        assertThat(o.output()).startsWith("Warden needs a JDK 21 or newer: none found in WARDEN_JAVA_HOME, "
                + "JAVA_HOME, /usr/lib/jvm or on PATH");
    }

    private Processes.Outcome find(Map<String, String> env) throws Exception {
        Path script = Docs.root().resolve(".mvn/find-jdk.sh");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("WARDEN_JVM_DIR", jvm.toString());
        // On PATH: a JDK 17's java and the few tools the script uses, nothing else.
        Path tools = Files.createDirectories(jvm.resolve("tools"));
        for (String tool : List.of("sed", "readlink", "head")) {
            Path real = Path.of("/usr/bin", tool);
            Files.createSymbolicLink(tools.resolve(tool), Files.exists(real) ? real : Path.of("/bin", tool));
        }
        Path pathJdk = fakeJdk("elsewhere/jdk-17", "17.0.2");
        all.put("PATH", pathJdk.resolve("bin") + ":" + tools);
        return Processes.run(List.of("/bin/sh", "-c", ". " + script + " && warden_select_jdk && echo \"$JAVA_HOME\""),
                all, Duration.ofSeconds(20));
    }

    private Path fakeJdk(String name, String version) throws Exception {
        Path home = jvm.resolve(name);
        if (Files.exists(home)) {
            return home;
        }
        Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path t = home.resolve("bin").resolve(tool);
            Files.writeString(t, "#!/bin/sh\nexit 0\n");
            t.toFile().setExecutable(true);
        }
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
