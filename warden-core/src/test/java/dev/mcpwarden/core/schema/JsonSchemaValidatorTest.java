package dev.mcpwarden.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mcpwarden.core.json.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonSchemaValidatorTest {

    private final JsonSchemaValidator validator = JsonSchemaValidator.standard();

    private static JsonNode json(String text) {
        return Json.standard().parse(text);
    }

    private static final String PERSON = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},
             "required":["name"],"additionalProperties":false}""";

    @Test
    void validValueHasNoProblems() {
        assertThat(validator.compile(json(PERSON)).validate(json("{\"name\":\"Ada\",\"age\":36}"))).isEmpty();
    }

    @Test
    void missingRequiredPropertyIsAProblem() {
        List<String> problems = validator.compile(json(PERSON)).validate(json("{\"age\":3}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("name");
    }

    @Test
    void wrongTypeIsAProblem() {
        List<String> problems = validator.compile(json(PERSON)).validate(json("{\"name\":5}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("string");
    }

    @Test
    void additionalPropertyIsAProblem() {
        List<String> problems = validator.compile(json(PERSON)).validate(json("{\"name\":\"a\",\"extra\":1}"));
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("extra");
    }

    @Test
    void booleanSchemasWork() {
        assertThat(validator.compile(json("true")).validate(json("{\"x\":1}"))).isEmpty();
        assertThat(validator.compile(json("false")).validate(json("{\"x\":1}"))).isNotEmpty();
    }

    @Test
    void schemaThatIsNotAnObjectOrBooleanIsRefused() {
        assertThatThrownBy(() -> validator.compile(json("[1]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a JSON schema must be an object or a boolean");
        assertThatThrownBy(() -> validator.compile(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a JSON schema must be an object or a boolean");
    }

    @Test
    void remoteRefIsRefusedAtCompileTimeNamingIt() {
        assertThatThrownBy(() -> validator.compile(json(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"https://evil.example/s.json\"}}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON schema refers outside itself ($ref \"https://evil.example/s.json\" at "
                        + "#/properties/a); remote references are never fetched");
    }

    @Test
    void relativeFileRefIsRefused() {
        assertThatThrownBy(() -> validator.compile(json("{\"$ref\":\"other.json#/x\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$ref \"other.json#/x\"");
    }

    @Test
    void remoteDynamicRefIsRefusedAtCompileTimeNamingIt() {
        assertThatThrownBy(() -> validator.compile(json(
                "{\"items\":[{\"$dynamicRef\":\"http://169.254.169.254/meta\"}]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON schema refers outside itself ($dynamicRef \"http://169.254.169.254/meta\" at "
                        + "#/items/0); remote references are never fetched");
    }

    @Test
    void localDefsRefsWork() {
        JsonSchemaValidator.Compiled c = validator.compile(json("""
                {"type":"object","properties":{"home":{"$ref":"#/$defs/address"}},
                 "$defs":{"address":{"type":"object","properties":{"zip":{"type":"string"}},"required":["zip"]}}}"""));
        assertThat(c.validate(json("{\"home\":{\"zip\":\"12345\"}}"))).isEmpty();
        assertThat(c.validate(json("{\"home\":{}}"))).hasSize(1);
        assertThat(c.validate(json("{\"home\":{\"zip\":5}}"))).hasSize(1);
    }

    @Test
    void schemaNestedBeyondTheLimitIsRefused() {
        JsonSchemaValidator small = new JsonSchemaValidator(new JsonSchemaValidator.Limits(1000, 64, 4));
        String ok = "{\"items\":{\"items\":true}}"; // depth 2
        assertThat(small.compile(json(ok)).validate(json("[[1]]"))).isEmpty();
        String deep = "{\"items\":".repeat(6) + "true" + "}".repeat(6);
        assertThatThrownBy(() -> small.compile(json(deep)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("JSON schema nests deeper than 4 levels at #/items/items/items/items/items");
    }

    @Test
    void unknownKeywordsAreAnnotations() {
        JsonSchemaValidator.Compiled c = validator.compile(json(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"X-A\"}}}"));
        assertThat(c.validate(json("{\"a\":\"v\"}"))).isEmpty();
        assertThat(c.validate(json("{\"a\":1}"))).hasSize(1);
    }

    @Test
    void evaluationStepLimitProducesAProblemInsteadOfHanging() {
        JsonSchemaValidator tight = new JsonSchemaValidator(new JsonSchemaValidator.Limits(50, 64, 32));
        JsonSchemaValidator.Compiled c = tight.compile(json(
                "{\"type\":\"array\",\"items\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\"},"
                        + "{\"type\":\"integer\",\"minimum\":0}]}}"));
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 5000; i++) {
            big.append(i == 0 ? "" : ",").append(i);
        }
        JsonNode value = json(big.append(']').toString());
        List<String> problems = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> c.validate(value));
        assertThat(problems).containsExactly("validation exceeded its evaluation steps limit");
        // the same value is valid under the default limits, so the problem above is the limit, not the value
        assertThat(JsonSchemaValidator.standard().compile(json(
                "{\"type\":\"array\",\"items\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\"},"
                        + "{\"type\":\"integer\",\"minimum\":0}]}}")).validate(value)).isEmpty();
    }

    @Test
    void evaluationDepthLimitProducesAProblem() {
        JsonSchemaValidator shallow = new JsonSchemaValidator(new JsonSchemaValidator.Limits(100_000, 3, 32));
        JsonSchemaValidator.Compiled c = shallow.compile(json("{\"$ref\":\"#/$defs/tree\",\"$defs\":{\"tree\":"
                + "{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/tree\"}}}}"));
        assertThat(c.validate(json("[[[[[[[[[[]]]]]]]]]]"))).containsExactly("validation exceeded its evaluation depth limit");
        assertThat(c.validate(json("[]"))).isEmpty();
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new JsonSchemaValidator.Limits(0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schema limits must be positive: 0, 1, 1");
    }
}
