package dev.mcpwarden.server.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SchemaGeneratorTest {

    enum Color { RED, GREEN }

    record Simple(String name, int count, double ratio, boolean flag) {
    }

    record WithOptional(String required, Optional<String> maybe, @Param(required = false) Integer notRequired) {
    }

    record WithDescriptions(@Param(description = "Who to greet") String name,
                            @Param(name = "max_items", description = "Upper bound") long maxItems) {
    }

    record Address(String city) {
    }

    record Nested(Address home, List<Address> others) {
    }

    record Collections(List<String> tags, Set<Integer> ids, Map<String, Double> scores, String[] names,
                       Color color, JsonNode any) {
    }

    record BadMapKey(Map<Integer, String> byId) {
    }

    record BadType(Object anything) {
    }

    record Wildcard(List<? extends Number> numbers) {
    }

    record Recursive(String name, List<Recursive> children) {
    }

    private static String text(JsonNode n) {
        return Json.standard().text(n);
    }

    @Test
    void recordBecomesAClosedObjectWithAllComponentsRequired() {
        assertThat(text(SchemaGenerator.forRecord(Simple.class))).isEqualTo(
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\"},"
                        + "\"ratio\":{\"type\":\"number\"},\"flag\":{\"type\":\"boolean\"}},"
                        + "\"required\":[\"name\",\"count\",\"ratio\",\"flag\"],\"additionalProperties\":false}");
    }

    @Test
    void optionalComponentsAreNotRequired() {
        JsonNode s = SchemaGenerator.forRecord(WithOptional.class);
        assertThat(text(s.get("required"))).isEqualTo("[\"required\"]");
        assertThat(text(s.get("properties").get("maybe"))).isEqualTo("{\"type\":\"string\"}");
        assertThat(text(s.get("properties").get("notRequired"))).isEqualTo("{\"type\":\"integer\"}");
    }

    @Test
    void paramAnnotationsNameAndDescribe() {
        JsonNode s = SchemaGenerator.forRecord(WithDescriptions.class);
        assertThat(text(s.get("properties"))).isEqualTo(
                "{\"name\":{\"type\":\"string\",\"description\":\"Who to greet\"},"
                        + "\"max_items\":{\"type\":\"integer\",\"description\":\"Upper bound\"}}");
        assertThat(text(s.get("required"))).isEqualTo("[\"name\",\"max_items\"]");
    }

    @Test
    void nestedRecordsAreClosedObjectsToo() {
        JsonNode s = SchemaGenerator.forRecord(Nested.class);
        String address = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"],\"additionalProperties\":false}";
        assertThat(text(s.get("properties").get("home"))).isEqualTo(address);
        assertThat(text(s.get("properties").get("others"))).isEqualTo("{\"type\":\"array\",\"items\":" + address + "}");
    }

    @Test
    void listsSetsMapsArraysEnumsAndJsonNodes() {
        JsonNode p = SchemaGenerator.forRecord(Collections.class).get("properties");
        assertThat(text(p.get("tags"))).isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        assertThat(text(p.get("ids"))).isEqualTo(
                "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"uniqueItems\":true}");
        assertThat(text(p.get("scores"))).isEqualTo(
                "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}");
        assertThat(text(p.get("names"))).isEqualTo("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
        assertThat(text(p.get("color"))).isEqualTo("{\"type\":\"string\",\"enum\":[\"RED\",\"GREEN\"]}");
        assertThat(text(p.get("any"))).isEqualTo("{}");
    }

    @Test
    void emptyObjectSchemaIsClosed() {
        assertThat(text(SchemaGenerator.emptyObject())).isEqualTo("{\"type\":\"object\",\"additionalProperties\":false}");
    }

    @Test
    void nonStringMapKeysAreRefusedWithAMessage() {
        assertThatThrownBy(() -> SchemaGenerator.forRecord(BadMapKey.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("map keys of tool arguments must be strings: java.util.Map<java.lang.Integer, java.lang.String>");
    }

    @Test
    void unsupportedTypesAreRefusedWithAMessage() {
        assertThatThrownBy(() -> SchemaGenerator.forRecord(BadType.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unsupported argument type: java.lang.Object"
                        + " (use strings, numbers, booleans, enums, lists, maps, arrays or records)");
    }

    @Test
    void wildcardTypesAreRefusedWithAMessage() {
        assertThatThrownBy(() -> SchemaGenerator.forRecord(Wildcard.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unsupported argument type: ? extends java.lang.Number");
    }

    @Test
    void recursiveRecordsAreRefusedWithAMessage() {
        assertThatThrownBy(() -> SchemaGenerator.forRecord(Recursive.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recursive record types cannot be tool arguments: " + Recursive.class.getName());
    }
}
