package dev.mcpwarden.server.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class InputBrokerTest {

    private static ObjectNode schema() {
        return (ObjectNode) Json.standard().parse(
                "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}}");
    }

    private static JsonNode accept() {
        return Json.standard().parse("{\"action\":\"accept\",\"content\":{\"ok\":true}}");
    }

    private static Map<String, InputRequest> requests(String... keys) {
        Map<String, InputRequest> m = new LinkedHashMap<>();
        for (String k : keys) {
            m.put(k, InputRequest.elicit("Confirm " + k + "?", schema()));
        }
        return m;
    }

    @Test
    void allAnsweredResolvesToTheAnswers() {
        InputBroker broker = new InputBroker(Map.of("a", accept()));
        InputResponses r = broker.resolve(requests("a"));
        assertThat(r.get("a")).isEqualTo(accept());
        assertThat(r.accepted("a")).contains(Json.standard().parse("{\"ok\":true}"));
    }

    @Test
    void missingAnswersBecomeInputRequiredListingOnlyTheMissingKeys() {
        InputBroker broker = new InputBroker(Map.of("a", accept()));
        Map<String, InputRequest> asked = requests("a", "b", "c");
        InputRequired required = catchThrowableOfType(InputRequired.class, () -> broker.resolve(asked));
        assertThat(required.requests()).containsOnlyKeys("b", "c");
        assertThat(required.requests().get("b")).isEqualTo(asked.get("b"));
        assertThat(broker.used()).isEmpty();
    }

    @Test
    void malformedElicitationAnswerIsInvalidParams() {
        InputBroker broker = new InputBroker(Map.of("k", Json.standard().parse("{\"action\":\"maybe\"}")));
        McpError e = catchThrowableOfType(McpError.class, () -> broker.resolve(requests("k")));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid input response 'k': action must be accept, decline or cancel");
    }

    @Test
    void elicitationAnswerThatIsNotAnObjectIsInvalidParams() {
        InputBroker broker = new InputBroker(Map.of("k", Json.nodes().stringNode("accept")));
        McpError e = catchThrowableOfType(McpError.class, () -> broker.resolve(requests("k")));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).isEqualTo("Invalid input response 'k': must be an object");
    }

    @Test
    void elicitationContentMustBeAnObject() {
        InputBroker broker = new InputBroker(Map.of("k",
                Json.standard().parse("{\"action\":\"accept\",\"content\":[1]}")));
        McpError e = catchThrowableOfType(McpError.class, () -> broker.resolve(requests("k")));
        assertThat(e.getMessage()).isEqualTo("Invalid input response 'k': content must be an object");
    }

    @Test
    void samplingAndRootsAnswersAreShapeChecked() {
        InputBroker sampling = new InputBroker(Map.of("s", Json.standard().parse("{\"role\":\"assistant\"}")));
        assertThat(catchThrowableOfType(McpError.class,
                () -> sampling.resolve(Map.of("s", InputRequest.sample("hi", 10)))).getMessage())
                .isEqualTo("Invalid input response 's': a sampling result needs role and content");
        InputBroker roots = new InputBroker(Map.of("r", Json.standard().parse("{\"roots\":{}}")));
        assertThat(catchThrowableOfType(McpError.class,
                () -> roots.resolve(Map.of("r", InputRequest.listRoots()))).getMessage())
                .isEqualTo("Invalid input response 'r': roots must be an array");
    }

    @Test
    void nullAnswerIsTreatedAsMissing() {
        Map<String, JsonNode> known = new HashMap<>();
        known.put("a", Json.nodes().nullNode());
        InputBroker broker = new InputBroker(known);
        InputRequired required = catchThrowableOfType(InputRequired.class, () -> broker.resolve(requests("a")));
        assertThat(required.requests()).containsOnlyKeys("a");
    }

    @Test
    void usedCollectsConsumedAnswersAcrossResolves() {
        JsonNode decline = Json.standard().parse("{\"action\":\"decline\"}");
        InputBroker broker = new InputBroker(Map.of("a", accept(), "b", decline, "unasked", accept()));
        broker.resolve(requests("a"));
        assertThat(broker.used()).containsOnlyKeys("a");
        InputResponses second = broker.resolve(requests("b"));
        assertThat(second.accepted("b")).isEmpty();
        assertThat(broker.used()).containsExactly(Map.entry("a", accept()), Map.entry("b", decline));
    }

    @Test
    void inputRequestParamsHaveTheWireShape() {
        assertThat(Json.standard().text(InputRequest.elicit("Sure?", schema()).params()))
                .isEqualTo("{\"message\":\"Sure?\",\"requestedSchema\":" + Json.standard().text(schema()) + "}");
        assertThat(InputRequest.elicit("m", schema()).method()).isEqualTo("elicitation/create");
        assertThat(InputRequest.sample("hi", 5).capability()).isEqualTo("sampling");
        assertThat(Json.standard().text(InputRequest.sample("hi", 5).params())).isEqualTo(
                "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"hi\"}}],\"maxTokens\":5}");
        assertThat(InputRequest.listRoots().method()).isEqualTo("roots/list");
    }
}
