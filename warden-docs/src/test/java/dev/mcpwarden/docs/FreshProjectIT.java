package dev.mcpwarden.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.core.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Acceptance 1 of issue 18: a fresh Maven project outside the repository, whose pom is the README's coordinates block
 * and whose only source is the README's HelloServer, builds offline against Warden as installed (invoker:install puts
 * the reactor's artifacts into target/it-repo; everything else comes from the build's own repository), starts, and
 * answers a real MCP client.
 */
class FreshProjectIT {

    @TempDir
    Path project;

    @Test
    void theReadmesHelloServerBuildsFromTheBomAndWardenServerAloneStartsAndAnswers() throws Exception {
        String readme = Files.readString(Docs.root().resolve("README.md"));
        Docs.Block coordinates = Docs.blocks("xml").stream()
                .filter(b -> b.page().getFileName().toString().equals("README.md"))
                .filter(b -> b.text().contains("<artifactId>warden-bom</artifactId>")).findFirst().orElseThrow();
        Docs.Block hello = Docs.blocks("java").stream()
                .filter(b -> b.page().getFileName().toString().equals("README.md"))
                .filter(b -> b.text().contains("public class HelloServer")).findFirst().orElseThrow();
        assertThat(readme).contains(coordinates.text());

        Files.writeString(project.resolve("pom.xml"), pom(coordinates.text()));
        Path src = Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(src.resolve("HelloServer.java"), hello.text());

        long start = System.nanoTime();
        Path mvnw = Docs.root().resolve("mvnw");
        String repos = System.getProperty("warden.build.repo");
        String tail = System.getProperty("warden.build.repo.tail", "");
        if (!tail.isBlank() && !tail.startsWith("${")) {
            repos += "," + tail;
        }
        ProcessBuilder build = new ProcessBuilder(mvnw.toString(), "-o", "-B", "-q",
                "-Dmaven.repo.local=" + System.getProperty("warden.it.repo"), "-Dmaven.repo.local.tail=" + repos,
                "compile", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt")
                .directory(project.toFile()).redirectErrorStream(true);
        build.environment().remove("MAVEN_OPTS");
        Process mvn = build.start();
        String buildLog = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(mvn.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(mvn.exitValue()).as("the fresh project builds offline:\n" + buildLog).isZero();
        System.out.printf("fresh project built in %.1f s%n", (System.nanoTime() - start) / 1e9);

        String classPath = project.resolve("target/classes") + ":" + Files.readString(project.resolve("cp.txt")).strip();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(java.toString(), "-cp", classPath, "HelloServer", "0")
                .redirectErrorStream(true).start();
        try {
            List<String> output = new ArrayList<>();
            URI endpoint = endpoint(server, output);
            try (McpClient client = McpClient.http(endpoint).requestTimeout(Duration.ofSeconds(20)).build()) {
                assertThat(client.list(McpClient.Kind.TOOLS)).extracting(t -> t.get("name").asString())
                        .containsExactlyInAnyOrder("greet", "temperature");
                assertThat(call(client, "greet", "name", "Ada").at("/content/0/text").asString())
                        .isEqualTo("Hello, Ada!");
                assertThat(call(client, "temperature", "city", "Oslo").at("/content/0/text").asString())
                        .isEqualTo("Oslo: 21 °C");
            }
            // With the README's logging provider, the start-up warning about the insecure option is shown and
            // SLF4J has nothing to complain about.
            String printed = String.join("\n", output);
            assertThat(printed).doesNotContain("SLF4J").doesNotContain("DEBUG");
            assertThat(printed).contains("WARN").contains("insecureWithoutAuthentication");
        } finally {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static JsonNode call(McpClient client, String tool, String arg, String value) throws Exception {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments").put(arg, value);
        return client.request("tools/call", p);
    }

    /** Reads the server's output until it prints its endpoint; keeps the lines read. */
    private static URI endpoint(Process server, List<String> output) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile("MCP endpoint: (http://\\S+)");
        CompletableFuture<URI> found = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        return URI.create(m.group(1));
                    }
                }
                throw new AssertionError("HelloServer ended without printing its endpoint: " + output);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        URI uri = found.get(60, TimeUnit.SECONDS);
        // Keep draining, so the server never blocks on a full pipe.
        Thread.ofVirtual().start(() -> r.lines().forEach(l -> {
            synchronized (output) {
                output.add(l);
            }
        }));
        return uri;
    }

    /** The README's dependencies in a minimal project, with the build's own plugin versions (offline). */
    private static String pom(String coordinates) throws Exception {
        String parent = Files.readString(Docs.root().resolve("pom.xml"));
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>hello</artifactId>
                  <version>1.0</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>21</maven.compiler.release>
                  </properties>
                %s
                  <build>
                    <plugins>
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>%s</version></plugin>
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>%s</version>
                        <configuration><parameters>true</parameters></configuration></plugin>
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>%s</version></plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(coordinates, version(parent, "maven-resources-plugin"),
                version(parent, "maven-compiler-plugin"), version(parent, "maven-dependency-plugin"));
    }

    private static String version(String pom, String plugin) {
        Matcher m = Pattern.compile("<artifactId>" + plugin + "</artifactId><version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as(plugin + " is pinned in the parent pom").isTrue();
        return m.group(1);
    }
}
