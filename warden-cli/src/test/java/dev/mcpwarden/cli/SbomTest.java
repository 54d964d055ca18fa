package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The CycloneDX SBOM the build writes for warden-cli, bundles into its jar and names in {@code --version}. */
class SbomTest {

    private static JsonNode bundled() throws Exception {
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream(Main.SBOM)) {
            assertThat(in).as("the SBOM bundled as " + Main.SBOM).isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    /** The jar of {@code artifactId-version.jar} on this test's class path (Maven's repository layout). */
    private static Path jarOnClassPath(String artifactId, String version) {
        String name = artifactId + "-" + version + ".jar";
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream().map(Path::of)
                .filter(p -> p.getFileName().toString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not on the class path"));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void theSbomListsJettyNimbusAndJacksonWithTheVersionsAndHashesOfTheJarsThatRun() throws Exception {
        JsonNode sbom = bundled();
        assertThat(sbom.path("bomFormat").asString()).isEqualTo("CycloneDX");
        assertThat(sbom.path("specVersion").asString()).isEqualTo("1.6");
        assertThat(sbom.path("metadata").path("component").path("name").asString()).isEqualTo("warden-cli");
        Map<String, JsonNode> byName = StreamSupport.stream(sbom.path("components").spliterator(), false)
                .collect(Collectors.toMap(c -> c.path("group").asString() + ":" + c.path("name").asString(),
                        Function.identity(), (a, b) -> a));
        for (String[] expected : new String[][] {
                {"org.eclipse.jetty:jetty-server", "12.1.14"},
                {"com.nimbusds:nimbus-jose-jwt", "10.10"},
                {"tools.jackson.core:jackson-databind", "3.2.4"}}) {
            JsonNode c = byName.get(expected[0]);
            assertThat(c).as(expected[0]).isNotNull();
            assertThat(c.path("version").asString()).as(expected[0]).isEqualTo(expected[1]);
            assertThat(c.path("purl").asString()).as(expected[0])
                    .isEqualTo("pkg:maven/" + expected[0].replace(':', '/') + "@" + expected[1] + "?type=jar");
            Map<String, String> hashes = StreamSupport.stream(c.path("hashes").spliterator(), false)
                    .collect(Collectors.toMap(h -> h.path("alg").asString(), h -> h.path("content").asString()));
            String artifact = expected[0].substring(expected[0].indexOf(':') + 1);
            // The hash of the very jar the tests (and the CLI) run with, not merely some hash.
            assertThat(hashes).as(expected[0]).containsEntry("SHA-256", sha256(jarOnClassPath(artifact, expected[1])))
                    .containsKey("SHA-512");
        }
    }

    @Test
    void everyRuntimeDependencyIsListedWithAHashAndNoTestOnlyLibraryIs() throws Exception {
        JsonNode sbom = bundled();
        List<JsonNode> components = StreamSupport.stream(sbom.path("components").spliterator(), false).toList();
        assertThat(components).hasSizeGreaterThan(30);
        assertThat(components).allSatisfy(c -> assertThat(c.path("hashes").size()).as(c.path("purl").asString())
                .isPositive());
        assertThat(components).extracting(c -> c.path("group").asString())
                .doesNotContain("org.junit.jupiter", "org.assertj");
        assertThat(components).extracting(c -> c.path("name").asString()).doesNotContain("warden-testkit");
    }

    @Test
    void versionPrintsTheBundledSbomsSerialNumber() throws Exception {
        String serial = bundled().path("serialNumber").asString();
        assertThat(serial).matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        var cli = Main.commandLine(new String[] {"--version"});
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));

        assertThat(cli.execute("--version")).isZero();
        assertThat(out.toString()).endsWith("\nSBOM " + serial + "\n").startsWith("warden ");
    }

    @Test
    void theReleaseCopyBesideTheJarIsTheBundledOne() throws Exception {
        Path release = Path.of("target/warden-cli.cdx.json");
        assertThat(release).exists();
        assertThat(new ObjectMapper().readTree(release.toFile()).path("serialNumber"))
                .isEqualTo(bundled().path("serialNumber"));
    }
}
