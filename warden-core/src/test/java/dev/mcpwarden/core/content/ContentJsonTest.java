package dev.mcpwarden.core.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ContentJsonTest {

    private static String text(JsonNode n) {
        return Json.standard().text(n);
    }

    @Test
    void textContentShape() {
        assertThat(text(Content.text("hi").toJson())).isEqualTo("{\"type\":\"text\",\"text\":\"hi\"}");
    }

    @Test
    void textContentNeedsText() {
        assertThatThrownBy(() -> Content.text(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text content needs text");
    }

    @Test
    void imageAndAudioAreBase64() {
        byte[] data = {1, 2, 3};
        assertThat(text(Content.image(data, "image/png").toJson()))
                .isEqualTo("{\"type\":\"image\",\"data\":\"AQID\",\"mimeType\":\"image/png\"}");
        assertThat(text(Content.audio(data, "audio/wav").toJson()))
                .isEqualTo("{\"type\":\"audio\",\"data\":\"AQID\",\"mimeType\":\"audio/wav\"}");
    }

    @Test
    void resourceLinkOmitsMissingMimeType() {
        assertThat(text(Content.resourceLink("file:///a", "a", null).toJson()))
                .isEqualTo("{\"type\":\"resource_link\",\"uri\":\"file:///a\",\"name\":\"a\"}");
        assertThat(text(Content.resourceLink("file:///a", "a", "text/plain").toJson()))
                .isEqualTo("{\"type\":\"resource_link\",\"uri\":\"file:///a\",\"name\":\"a\",\"mimeType\":\"text/plain\"}");
    }

    @Test
    void embeddedResourceWrapsContents() {
        assertThat(text(Content.resource(ResourceContents.text("x://t", "text/plain", "body")).toJson()))
                .isEqualTo("{\"type\":\"resource\",\"resource\":{\"uri\":\"x://t\",\"mimeType\":\"text/plain\","
                        + "\"text\":\"body\"}}");
    }

    @Test
    void resourceContentsShapes() {
        assertThat(text(ResourceContents.text("x://t", null, "body").toJson()))
                .isEqualTo("{\"uri\":\"x://t\",\"text\":\"body\"}");
        assertThat(text(ResourceContents.blob("x://b", "application/octet-stream",
                "hi".getBytes(StandardCharsets.UTF_8)).toJson()))
                .isEqualTo("{\"uri\":\"x://b\",\"mimeType\":\"application/octet-stream\",\"blob\":\"aGk=\"}");
    }

    @Test
    void promptMessageShape() {
        assertThat(text(PromptMessage.user(Content.text("q")).toJson()))
                .isEqualTo("{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"q\"}}");
        assertThat(text(PromptMessage.assistant(Content.text("a")).toJson()))
                .isEqualTo("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"a\"}}");
    }

    @Test
    void toolResultOmitsIsErrorWhenFalse() {
        assertThat(text(ToolResult.text("ok").toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}");
    }

    @Test
    void toolErrorResultCarriesIsError() {
        assertThat(text(ToolResult.error("bad").toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"bad\"}],\"isError\":true}");
    }

    @Test
    void structuredResultAlsoCarriesSerializedText() {
        JsonNode value = Json.standard().parse("{\"sum\":3}");
        assertThat(text(ToolResult.structured(value).toJson()))
                .isEqualTo("{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"sum\\\":3}\"}],\"structuredContent\":{\"sum\":3}}");
    }

    @Test
    void emptyToolResultHasEmptyContentArray() {
        assertThat(text(ToolResult.of().toJson())).isEqualTo("{\"content\":[]}");
    }

    @Test
    void toolResultContentIsImmutableCopy() {
        java.util.ArrayList<Content> list = new java.util.ArrayList<>(List.of(Content.text("a")));
        ToolResult r = new ToolResult(list, null, false);
        list.add(Content.text("b"));
        assertThat(r.content()).hasSize(1);
        assertThatThrownBy(() -> r.content().add(Content.text("c"))).isInstanceOf(UnsupportedOperationException.class);
    }
}
