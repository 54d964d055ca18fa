package dev.mcpwarden.examples.everything;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Processes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The Java example in README.md compiles as written, starts, and its tools answer over HTTP. */
class ReadmeExampleTest {

    @Test
    void readmeExampleCompilesRunsAndServesItsTools() throws Exception {
        String readme = Files.readString(Processes.repoRoot().resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(m.find()).as("README.md has a java code block").isTrue();
        Path dir = Files.createTempDirectory("readme-example");
        Files.writeString(dir.resolve("HelloServer.java"), m.group(1), StandardCharsets.UTF_8);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-parameters", "-d", dir.toString(),
                "-cp", System.getProperty("java.class.path"), dir.resolve("HelloServer.java").toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        URI endpoint;
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("HelloServer").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Thread runner = Thread.ofVirtual().start(() -> {
                try {
                    main.invoke(null, (Object) new String[] {"0"});
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.currentTimeMillis() + 10_000;
            while (!captured.toString(StandardCharsets.UTF_8).contains("MCP endpoint: ")
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            System.setOut(original);
            String line = captured.toString(StandardCharsets.UTF_8).strip();
            assertThat(line).startsWith("MCP endpoint: http://127.0.0.1:").endsWith("/mcp");
            endpoint = URI.create(line.substring("MCP endpoint: ".length()));

            McpHttp client = new McpHttp(endpoint);
            ObjectNode list = Json.object();
            list.set("_meta", McpHttp.meta2026(null));
            JsonNode tools = client.post(McpHttp.headers2026("tools/list", null),
                    McpHttp.request(1, "tools/list", list)).json().get("result").get("tools");
            assertThat(List.of(tools.get(0).get("name").asString(), tools.get(1).get("name").asString()))
                    .containsExactly("greet", "temperature");
            assertThat(tools.get(1).get("inputSchema").get("properties").get("city").get("description").asString())
                    .isEqualTo("City name");
            assertThat(tools.get(1).get("annotations").get("readOnlyHint").asBoolean()).isTrue();

            assertThat(call(client, "greet", "name", "Ada")).isEqualTo("Hello, Ada!");
            assertThat(call(client, "temperature", "city", "Oslo")).isEqualTo("Oslo: 21 °C");
            runner.interrupt();
        } finally {
            System.setOut(original);
        }
    }

    private static String call(McpHttp client, String tool, String arg, String value) throws Exception {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.putObject("arguments").put(arg, value);
        params.set("_meta", McpHttp.meta2026(null));
        JsonNode result = client.post(McpHttp.headers2026("tools/call", tool), McpHttp.request(2, "tools/call", params))
                .json().get("result");
        return result.get("content").get(0).get("text").asString();
    }
}
