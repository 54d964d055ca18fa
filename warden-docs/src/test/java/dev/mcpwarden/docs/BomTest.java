package dev.mcpwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BOM a user imports lists every library module of the reactor at the reactor's version. */
class BomTest {

    /** Reactor modules that are not libraries: applications, examples, benchmarks and these checks. */
    static final List<String> NOT_LIBRARIES = List.of("warden-bom", "warden-cli", "warden-docs",
            "examples/everything-server", "examples/sample-server", "bench/jmh");

    @Test
    void theBomListsEveryLibraryModuleAtTheParentsVersion() throws Exception {
        String parent = Files.readString(Docs.root().resolve("pom.xml"));
        String bom = Files.readString(Docs.root().resolve("warden-bom/pom.xml"));
        String version = first(parent, "<artifactId>warden-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertThat(first(bom, "<artifactId>warden-bom</artifactId>\\s*<version>([^<]+)</version>")).isEqualTo(version);
        assertThat(first(bom, "<warden.version>([^<]+)</warden.version>")).isEqualTo(version);
        // Consumers resolve third-party libraries at the versions Warden is tested with.
        for (String property : List.of("jackson.version", "jetty.version", "logback.version", "slf4j.version")) {
            String tag = "<" + property + ">([^<]+)</" + property + ">";
            assertThat(first(bom, tag)).as(property).isEqualTo(first(parent, tag));
        }

        List<String> libraries = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (m.find()) {
            if (!NOT_LIBRARIES.contains(m.group(1))) {
                String pom = Files.readString(Docs.root().resolve(m.group(1)).resolve("pom.xml"));
                libraries.add(first(pom, "</parent>\\s*<artifactId>([^<]+)</artifactId>"));
            }
        }
        assertThat(libraries).contains("warden-core", "warden-server", "warden-security");
        for (String artifact : libraries) {
            assertThat(bom).as("warden-bom manages " + artifact)
                    .contains("<artifactId>" + artifact + "</artifactId><version>${warden.version}</version>");
        }
    }

    @Test
    void everyLibraryModulesCoordinatesAreInTheReadme() throws Exception {
        String readme = Files.readString(Docs.root().resolve("README.md"));
        for (String artifact : List.of("warden-bom", "warden-server", "warden-security", "warden-config",
                "warden-redis", "warden-authserver", "warden-client", "warden-gateway", "warden-testkit")) {
            assertThat(readme).as("README names " + artifact).contains(artifact);
        }
        assertThat(readme).contains("<groupId>dev.mcpwarden</groupId>");
    }

    static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return m.group(1);
    }

}
