package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.pipeline.DefinitionsAware;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.McpHttp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The hooks other modules build on: mounted handlers, outermost HTTP stages, correlation ids, catalog-aware stages. */
class TransportExtensionsTest {

    record Echo(String text) {
    }

    static final List<String> seen = new CopyOnWriteArrayList<>();
    static final AtomicReference<String> callCorrelation = new AtomicReference<>();
    static final AtomicReference<Definitions> attached = new AtomicReference<>();
    static HttpTransport http;
    static McpHttp client;

    /** Records each request's correlation id and outcome from the event stream, as the audit log does. */
    static final class Recording implements SecurityEventListener {
        @Override
        public void refused(HttpExchange ex, Rejection r) {
            seen.add(ex.correlationId() + " refused " + r.status() + " callStarted=" + ex.callStarted());
        }

        @Override
        public void requestEnded(Call call, Ending ending, long elapsedNanos) {
            seen.add(call.correlationId() + " ended " + ending.getClass().getSimpleName());
        }
    }

    static final class CatalogStage implements Stage<Call, JsonNode>, DefinitionsAware {
        @Override
        public void attach(Definitions definitions) {
            attached.set(definitions);
        }

        @Override
        public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
            callCorrelation.set(call.correlationId());
            return chain.proceed(call);
        }
    }

    @BeforeAll
    static void start() {
        McpServer server = McpServer.builder("test", "1.0.0")
                .controls(Controls.builder().listener(new Recording()).insecureWithoutAuthentication().build())
                .stage(Position.Slot.AFTER_AUTHORIZATION, new CatalogStage())
                .tool(Tool.fromRecord("echo", "Echoes its text", Echo.class,
                        (args, ctx) -> ToolResult.text(args.text())))
                .build();
        http = HttpTransport.builder(server, HttpOptions.loopback(0))
                .mount("/auth", new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        response.setStatus(200);
                        response.write(true, ByteBuffer.wrap(("mounted " + Request.getPathInContext(request))
                                .getBytes(StandardCharsets.UTF_8)), callback);
                        return true;
                    }
                })
                .start();
        client = new McpHttp(http.uri());
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void aMountedHandlerServesItsPrefixAndEverythingBelowItBesideTheMcpEndpoint() throws Exception {
        McpHttp.Reply exact = new McpHttp(http.uri().resolve("/auth")).send("GET", Map.of(), null);
        McpHttp.Reply below = new McpHttp(http.uri().resolve("/auth/token")).send("GET", Map.of(), null);
        McpHttp.Reply sibling = new McpHttp(http.uri().resolve("/authx")).send("GET", Map.of(), null);
        assertThat(exact.body()).isEqualTo("mounted /auth");
        assertThat(below.body()).isEqualTo("mounted /auth/token");
        assertThat(below.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(sibling.status()).isEqualTo(404);
    }

    @Test
    void aMountThatWouldHideTheMcpEndpointIsRefused() {
        McpServer server = McpServer.builder("t", "1").build();
        HttpTransport.Builder b = HttpTransport.builder(server, HttpOptions.loopback(0));
        Handler h = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return false;
            }
        };
        assertThatThrownBy(() -> b.mount("/mcp", h)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mount /mcp would hide the MCP endpoint");
        assertThatThrownBy(() -> b.mount("auth/", h)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a mount prefix starts with '/' and has no trailing '/': auth/");
    }

    @Test
    void theEventStreamHearsRefusalsBeforeTheCallAndTheCallsEndWithTheRequestsCorrelationId() throws Exception {
        seen.clear();
        Map<String, String> foreign = McpHttp.headers2026("tools/list", null);
        foreign.put("Origin", "https://evil.example");
        ObjectNode params = Json.object();
        params.set("_meta", McpHttp.meta2026(null));
        assertThat(client.post(foreign, McpHttp.request(1, "tools/list", params)).status()).isEqualTo(403);

        ObjectNode call = Json.object();
        call.put("name", "echo");
        call.putObject("arguments").put("text", "hi");
        call.set("_meta", McpHttp.meta2026(null));
        McpHttp.Reply ok = client.post(McpHttp.headers2026("tools/call", "echo"), McpHttp.request(2, "tools/call", call));
        assertThat(ok.status()).isEqualTo(200);

        // The stage records after the response is written: wait for it.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).endsWith(" refused 403 callStarted=false");
        assertThat(seen.get(1)).isEqualTo(callCorrelation.get() + " ended Answered");
        assertThat(callCorrelation.get()).matches("[0-9a-f]{12}-[0-9a-f]{10,}");
    }

    @Test
    void aDefinitionsAwareStageIsGivenTheBackendsDefinitionsWhenTheServerIsBuilt() {
        assertThat(attached.get()).isNotNull();
        assertThat(attached.get().find(Target.Kind.TOOL, "echo")).isPresent();
    }

    @Test
    void aRejectionCarriesAnInternalReasonThatNeverReachesTheClient() {
        Rejection r = Rejection.notFound("Session not found").because("session_principal_mismatch");
        assertThat(r.reason()).isEqualTo("session_principal_mismatch");
        assertThat(r.toError().message()).isEqualTo("Session not found");
        assertThat(r.withId(Json.standard().parse("7")).reason()).isEqualTo("session_principal_mismatch");
    }

    @Test
    void servingHttpWithoutSecurityControlsIsRefusedNamingTheInsecureOption() {
        McpServer bare = McpServer.builder("bare", "1").build();
        assertThatThrownBy(() -> bare.serveHttp(HttpOptions.loopback(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no security controls installed: build the server with "
                        + "McpServer.Builder.controls(Security.builder(resourceServer).build()) (see docs/pipeline.md), "
                        + "or, for development only, controls(Controls.insecureWithoutAuthentication())");
    }

    @Test
    void controlsWithoutAnAuthenticatorAreRefusedOverHttpUnlessTheyAskForNoAuthenticationByName() {
        McpServer unauthenticated = McpServer.builder("u", "1")
                .controls(Controls.builder().listener(new SecurityEventListener() { }).build()).build();
        assertThatThrownBy(() -> unauthenticated.serveHttp(HttpOptions.loopback(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the security controls have no authenticator: every request would be "
                        + "anonymous");
        assertThatThrownBy(() -> Controls.builder().insecureWithoutAuthentication()
                .authenticator(head -> dev.mcpwarden.server.auth.Principal.ANONYMOUS).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("controls with an authenticator cannot also be without authentication");
    }
}
