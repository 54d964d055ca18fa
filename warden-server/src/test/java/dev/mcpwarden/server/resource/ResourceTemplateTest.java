package dev.mcpwarden.server.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceTemplateTest {

    private static ResourceTemplate template(String uriTemplate) {
        return new ResourceTemplate(uriTemplate, "t", null, "text/plain",
                (uri, vars, ctx) -> List.of(ResourceContents.text(uri, "text/plain", vars.toString())));
    }

    @Test
    void matchesOneSegmentPerVariable() {
        ResourceTemplate t = template("test://template/{id}/data");
        assertThat(t.variables()).containsExactly("id");
        assertThat(t.match("test://template/42/data")).contains(Map.of("id", "42"));
    }

    @Test
    void variableNeverSpansASlash() {
        ResourceTemplate t = template("test://template/{id}/data");
        assertThat(t.match("test://template/a/b/data")).isEmpty();
        assertThat(t.match("test://template/../secret/data")).isEmpty();
        assertThat(t.match("test://template//data")).isEmpty();
    }

    @Test
    void trailingVariableNeverSpansASlashQueryOrFragment() {
        ResourceTemplate t = template("file:///docs/{name}");
        assertThat(t.match("file:///docs/readme.md")).contains(Map.of("name", "readme.md"));
        assertThat(t.match("file:///docs/sub/readme.md")).isEmpty();
        assertThat(t.match("file:///docs/readme.md?x=1")).isEmpty();
        assertThat(t.match("file:///docs/readme.md#top")).isEmpty();
    }

    @Test
    void multipleVariablesAreMatchedInOrder() {
        ResourceTemplate t = template("repo://{owner}/{name}/issues/{n}");
        assertThat(t.match("repo://octo/cat/issues/7")).hasValueSatisfying(v -> {
            assertThat(v).containsExactly(Map.entry("owner", "octo"), Map.entry("name", "cat"), Map.entry("n", "7"));
        });
        assertThat(t.match("repo://octo/cat/pulls/7")).isEmpty();
    }

    @Test
    void literalPartsAreNotRegexes() {
        ResourceTemplate t = template("a.b://x/{id}");
        assertThat(t.match("a.b://x/1")).isPresent();
        assertThat(t.match("aXb://x/1")).isEmpty();
    }

    @Test
    void templateWithoutVariablesIsRefused() {
        assertThatThrownBy(() -> template("test://fixed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a resource template needs at least one {variable}: test://fixed");
    }

    @Test
    void listShape() {
        assertThat(Json.standard().text(template("test://template/{id}/data").toJson()))
                .isEqualTo("{\"uriTemplate\":\"test://template/{id}/data\",\"name\":\"t\",\"mimeType\":\"text/plain\"}");
    }
}
