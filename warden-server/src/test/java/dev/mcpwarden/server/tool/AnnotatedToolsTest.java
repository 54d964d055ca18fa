package dev.mcpwarden.server.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.Content;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import dev.mcpwarden.server.tool.fixture.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class AnnotatedToolsTest {

    /** A minimal tool context: arguments only. */
    static final class FakeContext implements ToolContext {
        @Override
        public dev.mcpwarden.server.auth.Principal principal() {
            return dev.mcpwarden.server.auth.Principal.ANONYMOUS;
        }

        private final ObjectNode arguments;

        FakeContext(String argumentsJson) {
            this.arguments = (ObjectNode) Json.standard().parse(argumentsJson);
        }

        @Override
        public String toolName() {
            return "fake";
        }

        @Override
        public ObjectNode arguments() {
            return arguments;
        }

        @Override
        public <T> T arguments(Class<T> type) {
            return Json.standard().mapper().treeToValue(arguments, type);
        }

        @Override
        public ProtocolVersion protocolVersion() {
            return ProtocolVersion.V2026_07_28;
        }

        @Override
        public ObjectNode clientCapabilities() {
            return Json.object();
        }

        @Override
        public void progress(double progress, Double total, String message) {
        }

        @Override
        public void log(LogLevel level, String logger, JsonNode data) {
        }

        @Override
        public InputResponses input(Map<String, InputRequest> requests) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void suggestReconnect() {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    }

    record Sum(int total, List<Integer> parts) {
    }

    static final class Tools {
        ToolContext seen;

        @McpTool(description = "Greets someone", title = "Greeter", readOnly = true)
        public String greet(@Param(description = "Who to greet") String name, Optional<String> greeting,
                            ToolContext ctx) {
            seen = ctx;
            return greeting.orElse("Hello") + ", " + name + "!";
        }

        @McpTool(name = "add_numbers", description = "Adds numbers", destructive = true)
        public Sum add(List<Integer> numbers) {
            return new Sum(numbers.stream().mapToInt(Integer::intValue).sum(), numbers);
        }

        @McpTool(description = "Returns an image block")
        public Content picture() {
            return Content.image(new byte[] {1}, "image/png");
        }

        @McpTool(description = "Returns a full result")
        public ToolResult failing() {
            return ToolResult.error("nope");
        }

        @McpTool(description = "Returns nothing")
        public void nothing() {
        }

        @McpTool(description = "Throws")
        public String boom() throws java.io.IOException {
            throw new java.io.IOException("disk on fire");
        }

        public String notATool() {
            return "x";
        }
    }

    static final class BadTools {
        @McpTool(description = "Takes an object")
        public String bad(Object o) {
            return "";
        }
    }

    private static Tool find(List<Tool> tools, String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static String text(JsonNode n) {
        return Json.standard().text(n);
    }

    @Test
    void annotatedMethodsBecomeToolsSortedByName() {
        assertThat(AnnotatedTools.of(new Tools())).extracting(Tool::name)
                .containsExactly("add_numbers", "boom", "failing", "greet", "nothing", "picture");
    }

    @Test
    void schemaIsGeneratedWithContextParameterLeftOutAndOptionalNotRequired() {
        Tool greet = find(AnnotatedTools.of(new Tools()), "greet");
        assertThat(text(greet.inputSchema())).isEqualTo("{\"type\":\"object\",\"properties\":{"
                + "\"name\":{\"type\":\"string\",\"description\":\"Who to greet\"},"
                + "\"greeting\":{\"type\":\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false}");
        assertThat(text(greet.toJson())).contains("\"title\":\"Greeter\"", "\"description\":\"Greets someone\"",
                "\"annotations\":{\"readOnlyHint\":true}");
    }

    @Test
    void contextParameterIsInjectedAndOptionalIsBound() throws Exception {
        Tools target = new Tools();
        Tool greet = find(AnnotatedTools.of(target), "greet");
        FakeContext ctx = new FakeContext("{\"name\":\"Ada\"}");
        assertThat(text(greet.handler().call(ctx).toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Hello, Ada!\"}]}");
        assertThat(target.seen).isSameAs(ctx);
        assertThat(text(greet.handler().call(new FakeContext("{\"name\":\"Ada\",\"greeting\":\"Hi\"}")).toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Hi, Ada!\"}]}");
        assertThat(text(greet.handler().call(new FakeContext("{\"name\":\"Ada\",\"greeting\":null}")).toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"Hello, Ada!\"}]}");
    }

    @Test
    void recordReturnValueBecomesStructuredContent() throws Exception {
        Tool add = find(AnnotatedTools.of(new Tools()), "add_numbers");
        assertThat(text(add.inputSchema())).isEqualTo("{\"type\":\"object\",\"properties\":{\"numbers\":"
                + "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"numbers\"],"
                + "\"additionalProperties\":false}");
        ToolResult r = add.handler().call(new FakeContext("{\"numbers\":[1,2,3]}"));
        assertThat(text(r.structuredContent())).isEqualTo("{\"total\":6,\"parts\":[1,2,3]}");
        assertThat(r.isError()).isFalse();
        assertThat(text(add.annotations().toJson())).isEqualTo("{\"readOnlyHint\":false,\"destructiveHint\":true,\"idempotentHint\":false}");
    }

    @Test
    void contentReturnValueBecomesASingleBlock() throws Exception {
        ToolResult r = find(AnnotatedTools.of(new Tools()), "picture").handler().call(new FakeContext("{}"));
        assertThat(r.content()).containsExactly(Content.image(new byte[] {1}, "image/png"));
        assertThat(r.structuredContent()).isNull();
    }

    @Test
    void toolResultReturnValueIsPassedThrough() throws Exception {
        ToolResult r = find(AnnotatedTools.of(new Tools()), "failing").handler().call(new FakeContext("{}"));
        assertThat(r).isEqualTo(ToolResult.error("nope"));
    }

    @Test
    void voidReturnBecomesAnEmptyResult() throws Exception {
        Tool nothing = find(AnnotatedTools.of(new Tools()), "nothing");
        assertThat(text(nothing.inputSchema())).isEqualTo(
                "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");
        assertThat(nothing.handler().call(new FakeContext("{}"))).isEqualTo(ToolResult.of());
    }

    @Test
    void exceptionsOfTheMethodAreRethrownUnwrapped() {
        Tool boom = find(AnnotatedTools.of(new Tools()), "boom");
        assertThatThrownBy(() -> boom.handler().call(new FakeContext("{}")))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("disk on fire");
    }

    @Test
    void unsupportedParameterTypesAreRefused() {
        assertThatThrownBy(() -> AnnotatedTools.of(new BadTools()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unsupported argument type: java.lang.Object");
    }

    @Test
    void toolsOfAPackagePrivateClassInAnotherPackageCanBeCalled() throws Exception {
        Tool echo = AnnotatedTools.of(Fixtures.packagePrivateTools()).get(0);
        assertThat(echo.handler().call(new FakeContext("{\"text\":\"hi\"}"))).isEqualTo(ToolResult.text("hi"));
    }

    @Test
    void returnValueMapping() {
        assertThat(AnnotatedTools.toResult("s")).isEqualTo(ToolResult.text("s"));
        assertThat(AnnotatedTools.toResult(null)).isEqualTo(ToolResult.of());
        assertThat(text(AnnotatedTools.toResult(Map.of("k", 1)).structuredContent())).isEqualTo("{\"k\":1}");
    }

    static final class ThirdParty {
        @McpTool(description = "reads a page", untrustedOutput = true)
        public String page(String url) {
            return url;
        }

        @McpTool(description = "lists comments", untrustedFields = {"/comments/*/text", "author"})
        public Map<String, Object> comments() {
            return Map.of();
        }

        @McpTool(description = "adds")
        public int add(int a, int b) {
            return a + b;
        }
    }

    @Test
    void aToolDeclaresItsThirdPartyOutputInItsDefinitionMeta() {
        List<Tool> tools = AnnotatedTools.of(new ThirdParty());
        assertThat(find(tools, "page").toJson().at("/_meta").toString())
                .isEqualTo("{\"dev.mcpwarden/untrusted-output\":true}");
        assertThat(find(tools, "comments").toJson().at("/_meta").toString())
                .isEqualTo("{\"dev.mcpwarden/untrusted-output\":[\"/comments/*/text\",\"author\"]}");
        assertThat(find(tools, "add").toJson().has("_meta")).isFalse();
    }
}
