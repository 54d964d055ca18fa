package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.TestTokens;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool served transformed: renamed and re-described, an argument filled from the caller's tenant that the caller
 * can neither see nor set, an argument removed, constraints tightened before the upstream sees a call, and result
 * fields dropped on the way back. The upstream is Warden's runtime, recording the arguments each call brought.
 */
class TransformationTest {

    static final TestTokens ISSUER = TestTokens.issuer("https://issuer.example");
    static final String SCHEMA = """
            {"type":"object","properties":{"tenant":{"type":"string"},"query":{"type":"string"},
             "mode":{"type":"string"},"path":{"type":"string"},"debug":{"type":"boolean"}},
             "required":["tenant","query"]}""";

    final List<AutoCloseable> open = new ArrayList<>();
    final List<JsonNode> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    static final UpstreamConfig.ToolTransform SEARCH = UpstreamConfig.ToolTransform.none()
            .renamed("find_documents", "Finds the caller's documents.")
            .withFromPrincipal("tenant", UpstreamConfig.PrincipalField.TENANT)
            .withRemoved(Set.of("debug"))
            .withDefault("mode", Json.nodes().stringNode("fast"))
            .withConstraint("mode", UpstreamConfig.Constraint.oneOf(List.of("fast", "exact")))
            .withConstraint("query", UpstreamConfig.Constraint.matching("[\\w ]+", 20))
            .withConstraint("path", UpstreamConfig.Constraint.under(List.of("/srv/docs")))
            .withResult(List.of("/structuredContent/internalId", "/_meta"), List.of());

    McpClient[] gateway() throws Exception {
        McpServer upstream = McpServer.builder("docs", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("search").description("Searches any tenant's documents.").inputSchema(SCHEMA)
                        .handler(ctx -> {
                            seen.add(ctx.arguments().deepCopy());
                            ObjectNode structured = Json.object();
                            structured.put("hits", 2).put("internalId", "row-4711-shard-9")
                                    .put("tenant", ctx.arguments().path("tenant").asString());
                            return ToolResult.structured(structured);
                        }).build())
                .build();
        URI up = keep(upstream.serveHttp(HttpOptions.loopback(Ports.free()))).uri();
        Gateway g = keep(Gateway.connect(List.of(UpstreamConfig.of("docs", UpstreamConfig.Http.of(up))
                .withTransforms(Map.of("search", SEARCH)))));
        int port = Ports.free();
        URI resource = URI.create("http://127.0.0.1:" + port + "/mcp");
        ResourceServer rs = ResourceServer.builder(ResourceServerConfig.of(resource,
                        List.of(TrustedIssuer.withKeys(ISSUER.issuer(), ISSUER.publicJwks())), Set.of("mcp")))
                .policy(PolicySet.builder().allow("all", "*", "true").build().asAccessPolicy()).build();
        McpServer front = McpServer.builder("gw", "1").backend(g.backend()).controls(Security.builder(rs).build())
                .build();
        keep(front.serveHttp(HttpOptions.loopback(port)));
        return new McpClient[] {caller(resource, "alice", "acme", McpClient.Era.MODERN),
                caller(resource, "bob", "globex", McpClient.Era.LEGACY)};
    }

    McpClient caller(URI resource, String subject, String tenant, McpClient.Era era) throws Exception {
        Map<String, Object> claims = new HashMap<>(ISSUER.claims(subject, resource.toString(), "mcp"));
        claims.put("tenant", tenant);
        String token = ISSUER.sign(claims);
        return keep(McpClient.http(resource).era(era).bearerToken(() -> Optional.of(token)).build());
    }

    static ObjectNode find(ObjectNode args) {
        ObjectNode p = Json.object().put("name", "find_documents");
        p.set("arguments", args);
        return p;
    }

    static void refused(McpClient c, ObjectNode args, String message) {
        assertThatThrownBy(() -> c.request("tools/call", find(args)))
                .isInstanceOfSatisfying(McpClientException.class, e -> {
                    assertThat(e.errorCode()).contains(-32602);
                    assertThat(e.errorMessage()).hasValue(message);
                });
    }

    @Test
    void theRenamedToolIsListedWithoutTheTenantItsCallerCannotSeeAndWithItsTightenedConstraints() throws Exception {
        McpClient[] callers = gateway();
        for (McpClient c : callers) {
            List<JsonNode> tools = c.list(McpClient.Kind.TOOLS);
            assertThat(tools).extracting(t -> t.path("name").asString()).containsExactly("find_documents");
            JsonNode t = tools.getFirst();
            assertThat(t.path("description").asString()).isEqualTo("Finds the caller's documents.");
            JsonNode schema = t.path("inputSchema");
            assertThat(schema.path("properties").propertyNames()).containsExactlyInAnyOrder("query", "mode", "path");
            assertThat(schema.path("required").toString()).isEqualTo("[\"query\"]");
            assertThat(schema.path("properties").path("mode").path("enum").toString())
                    .isEqualTo("[\"fast\",\"exact\"]");
            assertThat(schema.path("properties").path("mode").path("default").asString()).isEqualTo("fast");
            assertThat(schema.path("properties").path("query").path("maxLength").asInt()).isEqualTo(20);
            assertThat(t.toString()).doesNotContain("tenant", "debug", "any tenant");
        }
    }

    @Test
    void theTenantIsTheCallersOwnAndACallerSettingItIsRefusedBeforeTheUpstreamSeesTheCall() throws Exception {
        McpClient[] callers = gateway();
        McpClient alice = callers[0];
        McpClient bob = callers[1];

        JsonNode r = alice.request("tools/call", find(Json.object().put("query", "quarterly report")));
        bob.request("tools/call", find(Json.object().put("query", "roadmap").put("mode", "exact")));

        assertThat(seen).extracting(a -> a.path("tenant").asString()).containsExactly("acme", "globex");
        assertThat(seen.getFirst().path("query").asString()).isEqualTo("quarterly report");
        assertThat(seen.getFirst().path("mode").asString()).isEqualTo("fast"); // the default, filled in
        assertThat(seen.get(1).path("mode").asString()).isEqualTo("exact");
        assertThat(r.path("structuredContent").path("tenant").asString()).isEqualTo("acme");

        refused(alice, Json.object().put("query", "x").put("tenant", "globex"), "Invalid params: the argument "
                + "'tenant' of tool find_documents is set by the gateway, not by the caller");
        refused(alice, Json.object().put("query", "x").put("debug", true),
                "Invalid params: tool find_documents has no argument 'debug'");
        for (String lookAlike : List.of("Tenant", "TENANT", "tenant ", "tenant\u200b")) {
            refused(alice, Json.object().put("query", "x").put(lookAlike, "globex"),
                    "Invalid params: tool find_documents has no argument '" + lookAlike + "'");
        }
        assertThat(seen).hasSize(2);
    }

    @Test
    void droppedResultFieldsNeverReachTheCallerNeitherStructuredNorInTheMirroredText() throws Exception {
        McpClient alice = gateway()[0];

        JsonNode r = alice.request("tools/call", find(Json.object().put("query", "report")));

        assertThat(r.path("structuredContent").path("hits").asInt()).isEqualTo(2);
        assertThat(r.path("structuredContent").has("internalId")).isFalse();
        assertThat(r.toString()).doesNotContain("row-4711", "internalId");
        assertThat(Json.standard().parse(r.path("content").path(0).path("text").asString()).path("hits").asInt())
                .isEqualTo(2);
    }

    @Test
    void callsBreakingATightenedConstraintAreRefusedBeforeTheUpstreamSeesThem() throws Exception {
        McpClient alice = gateway()[0];

        refused(alice, Json.object().put("query", "x").put("mode", "everything"),
                "Invalid params: the argument 'mode' of tool find_documents must be one of [fast, exact]");
        refused(alice, Json.object().put("query", "a".repeat(21)),
                "Invalid params: the argument 'query' of tool find_documents is longer than 20 characters");
        refused(alice, Json.object().put("query", "x; DROP TABLE"),
                "Invalid params: the argument 'query' of tool find_documents does not match [\\w ]+");
        for (String path : List.of("/srv/docs/../../etc/passwd", "/srv/docsecret/a", "docs/a.txt", "/etc/shadow",
                "/srv/docs/%2e%2e/x", "~/x")) {
            refused(alice, Json.object().put("query", "x").put("path", path),
                    "Invalid params: the argument 'path' of tool find_documents must be a path under /srv/docs");
        }
        assertThat(seen).isEmpty();

        alice.request("tools/call", find(Json.object().put("query", "x").put("path", "/srv/docs/a/../b.txt")));
        assertThat(seen).singleElement().satisfies(a -> assertThat(a.path("path").asString())
                .isEqualTo("/srv/docs/a/../b.txt"));
    }

    @Test
    void aConstrainedArgumentGivenAsNullIsRefusedAndADefaultedOneGivenAsNullGetsItsDefault() throws Exception {
        McpClient alice = gateway()[0];
        ObjectNode nullPath = Json.object().put("query", "x");
        nullPath.putNull("path");
        ObjectNode nullQuery = Json.object();
        nullQuery.putNull("query");

        refused(alice, nullPath, "Invalid params: the argument 'path' of tool find_documents must not be null");
        refused(alice, nullQuery, "Invalid params: the argument 'query' of tool find_documents must not be null");
        assertThat(seen).isEmpty();

        ObjectNode nullMode = Json.object().put("query", "x");
        nullMode.putNull("mode"); // defaulted and constrained: the default, not null, goes upstream
        alice.request("tools/call", find(nullMode));
        assertThat(seen).singleElement().satisfies(a -> assertThat(a.path("mode").asString()).isEqualTo("fast"));
    }

    @Test
    void anEnumConstrainedArgumentWithoutADefaultGivenAsNullIsRefused() {
        UpstreamConfig.ToolTransform t = UpstreamConfig.ToolTransform.none()
                .withConstraint("mode", UpstreamConfig.Constraint.oneOf(List.of("fast", "exact")));
        ObjectNode served = Json.object();
        served.putObject("inputSchema").putObject("properties").putObject("mode").put("type", "string");
        ObjectNode args = Json.object();
        args.putNull("mode");

        assertThatThrownBy(() -> ToolTransformer.arguments(args, t, dev.mcpwarden.server.auth.Principal.ANONYMOUS,
                "search", served)).isInstanceOfSatisfying(McpError.class, e -> {
                    assertThat(e.code()).isEqualTo(-32602);
                    assertThat(e.getMessage()).isEqualTo("Invalid params: the argument 'mode' of tool search must "
                            + "not be null");
                });
    }

    /** A result of the upstream's: its structured content with the field to drop, and {@code content}. */
    static ObjectNode upstreamResult(String contentJson) {
        ObjectNode r = Json.object();
        r.putObject("structuredContent").put("hits", 2).put("internalId", "row-4711-shard-9");
        r.set("content", Json.standard().parse(contentJson));
        return r;
    }

    @Test
    void aDroppedFieldReachesTheCallerThroughNoTextFencedPrefixedOrInAnEmbeddedResource() {
        String fenced = "[{\"type\":\"text\",\"text\":\"```json\\n{\\\"hits\\\":2,\\\"internalId\\\":"
                + "\\\"row-4711-shard-9\\\"}\\n```\"}]";
        String prefixed = "[{\"type\":\"text\",\"text\":\"id 5: {\\\"internalId\\\":\\\"row-4711-shard-9\\\"}\"}]";
        String embedded = "[{\"type\":\"resource\",\"resource\":{\"uri\":\"docs://hit/1\",\"mimeType\":"
                + "\"application/json\",\"text\":\"{\\\"internalId\\\":\\\"row-4711-shard-9\\\"}\"}}]";
        String many = "[{\"type\":\"text\",\"text\":\"{\\\"hits\\\":2,\\\"internalId\\\":\\\"row-4711-shard-9\\\"}\"},"
                + "{\"type\":\"resource_link\",\"uri\":\"docs://row-4711-shard-9\",\"name\":\"row-4711-shard-9\"},"
                + "{\"type\":\"image\",\"data\":\"iVBORw0KGgo=\",\"mimeType\":\"image/png\"},"
                + "{\"type\":\"text\",\"text\":\"internalId=row-4711-shard-9\"}]";
        for (String content : List.of(fenced, prefixed, embedded, many)) {
            JsonNode r = ToolTransformer.result(upstreamResult(content), SEARCH);

            assertThat(r.toString()).as(content).doesNotContain("row-4711", "internalId");
            assertThat(r.path("structuredContent").toString()).isEqualTo("{\"hits\":2}");
            JsonNode text = r.path("content").path(0);
            assertThat(text.toString()).as(content).isEqualTo("{\"type\":\"text\",\"text\":\"{\\\"hits\\\":2}\"}");
        }
        // the picture stays, after the one mirror
        assertThat(ToolTransformer.result(upstreamResult(many), SEARCH).path("content"))
                .extracting(b -> b.path("type").asString()).containsExactly("text", "image");
    }

    @Test
    void aFilteredResultWithoutStructuredContentHasItsTextWithheld() {
        ObjectNode r = Json.object().put("isError", true);
        r.set("content", Json.standard().parse("[{\"type\":\"text\",\"text\":\"row-4711-shard-9 not found\"}]"));

        JsonNode out = ToolTransformer.result(r, SEARCH);

        assertThat(out.toString()).isEqualTo("{\"isError\":true,\"content\":[{\"type\":\"text\",\"text\":"
                + "\"(text withheld by the gateway: this tool's result is filtered)\"}]}");
    }

    @Test
    void theTransformedDefinitionCarriesTheUpstreamsDigestSoAChangeUpstreamChangesWhatIsPinned() throws Exception {
        gateway();
        Gateway g = (Gateway) open.stream().filter(Gateway.class::isInstance).findFirst().orElseThrow();
        JsonNode served = g.backend().definitions().find(Target.Kind.TOOL, "find_documents").orElseThrow().json();

        assertThat(served.path("_meta").path(ToolTransformer.UPSTREAM_DIGEST).asString()).startsWith("sha256:");
        ObjectNode changed = Json.object().put("name", "search").put("description", "Searches, and mails results.");
        changed.set("inputSchema", Json.standard().parse(SCHEMA));
        assertThat(ToolTransformer.definition(changed, SEARCH).path("_meta").path(ToolTransformer.UPSTREAM_DIGEST))
                .isNotEqualTo(served.path("_meta").path(ToolTransformer.UPSTREAM_DIGEST));
        assertThat(ToolTransformer.definition(changed, SEARCH).path("description").asString())
                .isEqualTo(served.path("description").asString());
    }
}
