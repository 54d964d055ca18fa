package dev.mcpwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.schema.JsonSchemaValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The committed {@code docs/warden.schema.json} is the schema the loader's declarations write, so every key the loader
 * accepts is in it and no other. Regenerate it with
 * {@code ./mvnw -pl warden-config -am verify -Dtest=SchemaTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dwarden.schema.write=true}.
 */
class SchemaTest {

    static final Path SCHEMA = SampleConfigTest.ROOT.resolve("docs/warden.schema.json");

    private static JsonNode yaml(Path file) throws IOException {
        return YAMLMapper.builder().build().readTree(Files.readString(file));
    }

    private static JsonSchemaValidator.Compiled compiled() throws IOException {
        return JsonSchemaValidator.standard().compile(Json.standard().parse(Files.readString(SCHEMA)));
    }

    @Test
    void committedSchemaIsWhatTheLoaderDeclares() throws IOException {
        if (Boolean.getBoolean("warden.schema.write")) {
            Files.writeString(SCHEMA, WardenConfig.jsonSchema());
        }
        assertThat(Files.readString(SCHEMA)).isEqualTo(WardenConfig.jsonSchema());
    }

    @Test
    void sampleConfigurationIsValidAgainstTheSchema() throws IOException {
        assertThat(compiled().validate(yaml(SampleConfigTest.SAMPLE))).isEmpty();
    }

    @Test
    void schemaRefusesAnUnknownKeyAsTheLoaderDoes() throws IOException {
        JsonNode doc = yaml(SampleConfigTest.SAMPLE);
        ((tools.jackson.databind.node.ObjectNode) doc.get("security")).put("rate-limts", "x");

        assertThat(compiled().validate(doc)).isNotEmpty();
    }

    @Test
    void theGatewayExampleOfTheDocsIsValidAgainstTheSchema() throws IOException {
        String doc = Files.readString(SampleConfigTest.ROOT.resolve("docs/gateway.md"));
        String section = doc.substring(doc.indexOf("## From a configuration file"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```\n", 10));
        JsonNode example = YAMLMapper.builder().build().readTree(yaml);
        assertThat(example.path("gateway").path("upstreams").size()).isEqualTo(2);
        assertThat(compiled().validate(example)).isEmpty();
    }

    @Test
    void theUpstreamIdentityExamplesOfTheDocsAreValidAgainstTheSchema() throws IOException {
        String doc = Files.readString(SampleConfigTest.ROOT.resolve("docs/upstream-identity.md"));
        int examples = 0;
        for (int at = doc.indexOf("```yaml\n"); at >= 0; at = doc.indexOf("```yaml\n", at + 1)) {
            String yaml = doc.substring(at + 8, doc.indexOf("```\n", at + 8));
            JsonNode whole = yaml(SampleConfigTest.SAMPLE);
            ((tools.jackson.databind.node.ObjectNode) whole).set("gateway",
                    YAMLMapper.builder().build().readTree(yaml).get("gateway"));
            assertThat(compiled().validate(whole)).as(yaml).isEmpty();
            examples++;
        }
        assertThat(examples).isEqualTo(3);
    }

    @Test
    void everyKeyHasADescriptionAndEveryObjectIsClosed() throws IOException {
        List<String> missing = new ArrayList<>();
        walk(Json.standard().parse(Files.readString(SCHEMA)), "#", missing);

        assertThat(missing).isEmpty();
    }

    @Test
    void everyKeyIsDocumentedInConfigurationMd() throws IOException {
        String doc = Files.readString(SampleConfigTest.ROOT.resolve("docs/configuration.md"));
        List<String> keys = new ArrayList<>();
        names(Json.standard().parse(Files.readString(SCHEMA)), keys);

        assertThat(keys).isNotEmpty().allSatisfy(k -> assertThat(doc).as(k).contains("| `" + k + "` |"));
    }

    private static void names(JsonNode schema, List<String> out) {
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            out.add(p.getKey());
            names(p.getValue(), out);
        }
        if (schema.get("additionalProperties") instanceof tools.jackson.databind.node.ObjectNode ap) {
            names(ap, out);
        }
        if (schema.has("items")) {
            names(schema.get("items"), out);
        }
        schema.path("oneOf").forEach(v -> names(v, out));
    }

    private static void walk(JsonNode schema, String at, List<String> missing) {
        if (schema.has("properties")) {
            if (!schema.path("additionalProperties").isBoolean()
                    || schema.path("additionalProperties").asBoolean()) {
                missing.add(at + ": additionalProperties is not false");
            }
            for (Map.Entry<String, JsonNode> p : schema.get("properties").properties()) {
                if (!p.getValue().path("description").isString()) {
                    missing.add(at + "/" + p.getKey() + ": no description");
                }
                walk(p.getValue(), at + "/" + p.getKey(), missing);
            }
        }
        if (schema.get("additionalProperties") instanceof tools.jackson.databind.node.ObjectNode ap) {
            walk(ap, at + "/*", missing);
        }
        if (schema.has("items")) {
            walk(schema.get("items"), at + "[]", missing);
        }
        for (JsonNode variant : schema.path("oneOf")) {
            walk(variant, at + "|" + variant.path("properties").path("kind").path("enum").path(0).asString(), missing);
        }
    }
}
