package dev.mcpwarden.examples.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.testkit.McpHttp;
import dev.mcpwarden.testkit.Ports;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** INTEGRITY-01: the sample started with {@code --simulate-rug-pull} withholds the tool whose definition changed. */
class RugPullTest {

    static HttpTransport http;
    static String resource;
    static McpHttp client;
    static Path auditFile;

    @BeforeAll
    static void start(@TempDir Path dir) {
        int port = Ports.free();
        resource = "http://127.0.0.1:" + port + "/mcp";
        auditFile = dir.resolve("audit.jsonl");
        http = SampleServer.start(new SampleServer.Options(port, AttackCorpusTest.ISSUER.issuer(),
                AttackCorpusTest.ISSUER.publicJwks(), URI.create(resource), auditFile, true));
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void theCorpusCaseIsTheOneThisTestRuns() throws Exception {
        // The shared corpus's case, where it is present; the tests below run either way.
        org.junit.jupiter.api.Assumptions.assumeTrue(AttackCorpus.shared().isPresent(), "no shared corpus beside the repository");
        List<JsonNode> cases = AttackCorpus.shared().orElseThrow().cases("attacks.json", List.of("INTEGRITY"));
        assertThat(cases).extracting(c -> c.get("id").asString()).containsExactly("INTEGRITY-01");
        JsonNode expect = cases.get(0).get("expect");
        assertThat(expect.get("absent_in_tools_list")).extracting(JsonNode::asString).containsExactly("fetch_url");
        assertThat(expect.get("jsonrpc_error").asInt()).isEqualTo(-32602);
    }

    @Test
    void aRugPulledToolIsAbsentFromToolsListAndCallingItLooksLikeCallingAMissingTool() throws Exception {
        McpHttp.Reply list = post("tools/list", null, Json.object());
        assertThat(list.status()).isEqualTo(200);
        List<String> names = list.json().get("result").get("tools").valueStream().map(t -> t.get("name").asString())
                .toList();
        assertThat(names).doesNotContain("fetch_url").contains("get_ticket", "read_attachment");
        assertThat(list.body()).doesNotContain("id_rsa");

        ObjectNode p = Json.object();
        p.put("name", "fetch_url");
        p.putObject("arguments").put("url", "https://example.com/");
        McpHttp.Reply call = post("tools/call", "fetch_url", p);
        assertThat(call.json().has("error")).as(call.body()).isTrue();
        assertThat(call.json().get("error").get("code").asInt()).isEqualTo(-32602);
        assertThat(call.json().get("error").get("message").asString()).isEqualTo("Unknown tool: fetch_url");

        ObjectNode q = Json.object();
        q.put("name", "no_such_tool");
        q.putObject("arguments");
        McpHttp.Reply missing = post("tools/call", "no_such_tool", q);
        assertThat(missing.status()).isEqualTo(call.status());
        assertThat(missing.json().get("error").get("message").asString()).isEqualTo("Unknown tool: no_such_tool");
    }

    @Test
    void theWithheldChangeIsAudited() throws Exception {
        List<JsonNode> records = AuditRecords.awaitAfter(auditFile, 0,
                r -> "DEFINITION".equals(r.path("type").asString()));
        assertThat(records).filteredOn(r -> "DEFINITION".equals(r.path("type").asString()))
                .anySatisfy(r -> {
                    assertThat(r.get("target").asString()).isEqualTo("tools/fetch_url");
                    assertThat(r.get("outcome").asString()).isEqualTo("changed_withheld");
                });
    }

    private static McpHttp.Reply post(String method, String name, ObjectNode params) throws Exception {
        params.set("_meta", McpHttp.meta2026(null));
        Map<String, String> h = McpHttp.headers2026(method, name);
        h.put("Authorization", "Bearer " + AttackCorpusTest.ISSUER.sign(
                AttackCorpus.claims(AttackCorpusTest.ISSUER, "alice", resource)));
        return client.post(h, McpHttp.request(1, method, params));
    }
}
