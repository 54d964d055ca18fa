package dev.mcpwarden.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

class JsonTest {

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void parsesAWellFormedDocument() {
        JsonNode n = Json.standard().parse("{\"a\":[1,\"x\",true,null],\"b\":{\"c\":2.5}}");
        assertThat(n.get("a").size()).isEqualTo(4);
        assertThat(n.get("b").get("c").asDouble()).isEqualTo(2.5);
    }

    @Test
    void duplicateKeysAreRejected() {
        assertThatThrownBy(() -> Json.standard().parse("{\"a\":1,\"a\":2}"))
                .isInstanceOf(JacksonException.class)
                .hasMessageContainingAll("uplicate", "a");
    }

    @Test
    void duplicateKeysInNestedObjectsAreRejected() {
        assertThatThrownBy(() -> Json.standard().parse(
                "{\"params\":{\"arguments\":{\"x\":1,\"x\":2}}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void sameKeyInSiblingObjectsIsAllowed() {
        JsonNode n = Json.standard().parse("[{\"a\":1},{\"a\":2}]");
        assertThat(n.get(1).get("a").asInt()).isEqualTo(2);
    }

    @Test
    void nestingUpToTheDefaultLimitIsAccepted() {
        JsonNode n = Json.standard().parse(nested(Json.DEFAULT_MAX_DEPTH));
        assertThat(n.isArray()).isTrue();
    }

    @Test
    void nestingBeyondTheDefaultLimitIsRejected() {
        assertThatThrownBy(() -> Json.standard().parse(nested(Json.DEFAULT_MAX_DEPTH + 1)))
                .isInstanceOf(JacksonException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void customDepthLimitIsEnforced() {
        Json json = Json.withMaxDepth(3);
        assertThat(json.parse("{\"a\":{\"b\":[]}}").isObject()).isTrue();
        assertThatThrownBy(() -> json.parse("{\"a\":{\"b\":[[]]}}")).isInstanceOf(JacksonException.class);
    }

    @Test
    void defaultDepthReturnsTheSharedInstance() {
        assertThat(Json.withMaxDepth(Json.DEFAULT_MAX_DEPTH)).isSameAs(Json.standard());
    }

    @Test
    void depthOutsideBoundsIsRefusedWithMessage() {
        assertThatThrownBy(() -> Json.withMaxDepth(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDepth must be between 2 and 1000, was 1");
        assertThatThrownBy(() -> Json.withMaxDepth(1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDepth must be between 2 and 1000, was 1001");
    }

    @Test
    void textAndBytesRoundTrip() {
        JsonNode n = Json.standard().parse("{\"a\":[1,2],\"s\":\"é\"}");
        assertThat(Json.standard().text(n)).isEqualTo("{\"a\":[1,2],\"s\":\"é\"}");
        assertThat(Json.standard().parse(Json.standard().bytes(n))).isEqualTo(n);
    }

    @Test
    void toTreeConvertsRecords() {
        record Point(int x, String label) {
        }
        JsonNode n = Json.standard().toTree(new Point(3, "p"));
        assertThat(Json.standard().text(n)).isEqualTo("{\"x\":3,\"label\":\"p\"}");
    }
}
