package dev.mcpwarden.server.tool;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import org.junit.jupiter.api.Test;

class HeaderAnnotationsTest {

    private static void check(String schema) {
        HeaderAnnotations.check("t", Json.standard().parse(schema));
    }

    @Test
    void aTopLevelStringPropertyMayBeAnnotated() {
        assertThatCode(() -> check("{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"}}}"))
                .doesNotThrowAnyException();
    }

    @Test
    void numbersMayNotBeAnnotated() {
        assertThatThrownBy(() -> check("{\"properties\":{\"n\":{\"type\":\"number\",\"x-mcp-header\":\"N\"}}}"))
                .hasMessage("tool t: x-mcp-header of property n may only annotate a string, integer or boolean");
    }

    @Test
    void headerNamesMustBeTokens() {
        assertThatThrownBy(() -> check("{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"Bad Name\"}}}"))
                .hasMessage("tool t: x-mcp-header of property r must be a non-empty header token, was \"Bad Name\"");
    }

    @Test
    void headerNamesAreUniqueIgnoringCase() {
        assertThatThrownBy(() -> check("{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                + "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"region\"}}}"))
                .hasMessage("tool t: x-mcp-header of property b repeats header name region");
    }

    @Test
    void nestedAnnotationsAreRefused() {
        assertThatThrownBy(() -> check("{\"properties\":{\"a\":{\"type\":\"array\",\"items\":"
                + "{\"type\":\"string\",\"x-mcp-header\":\"Item\"}}}}"))
                .hasMessage("tool t: x-mcp-header may only annotate top-level properties");
        assertThatThrownBy(() -> check("{\"anyOf\":[{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"A\"}}}]}"))
                .hasMessage("tool t: x-mcp-header may only annotate top-level properties");
    }

    @Test
    void toolsWithBadAnnotationsCannotBeBuilt() {
        assertThatThrownBy(() -> Tool.builder("x").description("d")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"x-mcp-header\":\"N\"}}}")
                .handler(ctx -> null).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
