package dev.mcpwarden.server.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ToolTest {

    private static final ToolHandler OK = ctx -> ToolResult.text("ok");

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/name", "émoji", "semi;colon"})
    void badNamesAreRefusedWithTheExactMessage(String name) {
        assertThatThrownBy(() -> Tool.builder(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool name must be 1-128 characters of A-Z a-z 0-9 _ . - , was: " + name);
    }

    @Test
    void nullAndOverlongNamesAreRefused() {
        assertThatThrownBy(() -> Tool.builder(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool name must be 1-128 characters of A-Z a-z 0-9 _ . - , was: null");
        String long129 = "a".repeat(129);
        assertThatThrownBy(() -> Tool.builder(long129))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool name must be 1-128 characters of A-Z a-z 0-9 _ . - , was: " + long129);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "get_weather", "v1.search-docs", "A9"})
    void validNamesAreAccepted(String name) {
        assertThat(Tool.builder(name).handler(OK).build().name()).isEqualTo(name);
        assertThat(Tool.builder("a".repeat(128)).handler(OK).build().name()).hasSize(128);
    }

    @Test
    void rootTypeMustBeObject() {
        assertThatThrownBy(() -> Tool.builder("t").inputSchema("{\"type\":\"array\"}").handler(OK).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool t: inputSchema must have type \"object\" at its root");
        assertThatThrownBy(() -> Tool.builder("t").inputSchema(Json.object()).handler(OK).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool t: inputSchema must have type \"object\" at its root");
    }

    @Test
    void schemaTextMustBeAnObject() {
        assertThatThrownBy(() -> Tool.builder("t").inputSchema("[1]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tool t: inputSchema must be a JSON object");
    }

    @Test
    void handlerIsRequired() {
        assertThatThrownBy(() -> Tool.builder("t").build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("tool t needs a handler");
    }

    @Test
    void defaultSchemaIsTheEmptyClosedObject() {
        Tool t = Tool.builder("t").description("d").handler(OK).build();
        assertThat(Json.standard().text(t.toJson())).isEqualTo("{\"name\":\"t\",\"description\":\"d\","
                + "\"inputSchema\":{\"type\":\"object\",\"additionalProperties\":false}}");
    }

    @Test
    void definitionCarriesTitleAnnotationsAndMeta() {
        Tool t = Tool.builder("t").title("T").handler(OK).annotations(ToolAnnotations.readOnly())
                .meta(Json.object().put("k", "v")).build();
        assertThat(Json.standard().text(t.toJson())).isEqualTo("{\"name\":\"t\",\"title\":\"T\","
                + "\"inputSchema\":{\"type\":\"object\",\"additionalProperties\":false},"
                + "\"annotations\":{\"readOnlyHint\":true,\"destructiveHint\":false,\"idempotentHint\":true,"
                + "\"openWorldHint\":false},\"_meta\":{\"k\":\"v\"}}");
    }
}
