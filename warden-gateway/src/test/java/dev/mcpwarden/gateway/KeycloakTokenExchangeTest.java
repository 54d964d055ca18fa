package dev.mcpwarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Secret;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.testkit.KeycloakServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Token exchange (RFC 8693) at a real Keycloak (its standard token exchange, from the distribution the build
 * unpacks): Alice's token names the gateway as its audience; the gateway exchanges it for one whose audience is the
 * upstream, and the upstream, a Warden runtime trusting only Keycloak tokens for itself, sees Alice as the subject
 * and the gateway as the authorized party. Keycloak names resources by client id, so the gateway's and the
 * upstream's clients are named by their MCP endpoints, and the gateway asks by {@code audience}.
 *
 * <p>Keycloak 26.7 writes no {@code act} claim (its delegation provider came later): the acting party is in
 * {@code azp}. The embedded authorization server's {@code act} is proven in {@link UpstreamCredentialsTest}.
 */
@Tag("keycloak")
class KeycloakTokenExchangeTest {

    static final String REALM = "exchange";
    static final String GATEWAY_SECRET = "gateway-exchange-secret-0123456789";

    static KeycloakServer keycloak;
    static String gatewayResource;
    static String upstreamResource;
    static Gateway gateway;
    static HttpTransport upstreamHttp;
    static HttpTransport gatewayHttp;
    /** Every Authorization header the upstream received, in order. */
    static final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        int gatewayPort = KeycloakServer.freePort();
        int upstreamPort = KeycloakServer.freePort();
        gatewayResource = "http://127.0.0.1:" + gatewayPort + "/mcp";
        upstreamResource = "http://127.0.0.1:" + upstreamPort + "/mcp";
        String realm = new String(KeycloakTokenExchangeTest.class.getResourceAsStream("/keycloak/exchange-realm.json")
                .readAllBytes(), StandardCharsets.UTF_8)
                .replace("@@GATEWAY@@", gatewayResource)
                .replace("@@UPSTREAM@@", upstreamResource)
                .replace("@@GATEWAY_SECRET@@", GATEWAY_SECRET);
        keycloak = KeycloakServer.start(REALM, realm);

        ResourceServer upstreamRs = ResourceServer.create(ResourceServerConfig.of(URI.create(upstreamResource),
                List.of(TrustedIssuer.discover(keycloak.issuer())), Set.of("tickets:read")));
        Authenticator recording = new Authenticator() {
            @Override
            public Principal authenticate(RequestHead request) {
                upstreamSaw.add(String.valueOf(request.header("Authorization")));
                return upstreamRs.authenticator().authenticate(request);
            }

            @Override
            public boolean verifiesBearerToken() {
                return true;
            }
        };
        McpServer upstream = McpServer.builder("tickets", "1.0.0")
                .controls(upstreamRs.controls().toBuilder().authenticator(recording).build())
                .tool(Tool.builder("whoami").description("Who is calling").requiredScopes("tickets:read")
                        .handler(ctx -> ToolResult.text("subject=" + ctx.principal().subject() + " client="
                                + ctx.principal().clientId())).build())
                .build();
        upstreamHttp = HttpTransport.builder(upstream, HttpOptions.loopback(upstreamPort)).start();

        URI tokenEndpoint = keycloak.tokenEndpoint();
        UpstreamConfig config = UpstreamConfig.of("tickets", UpstreamConfig.Http.of(URI.create(upstreamResource))
                .withClientCredentials(new UpstreamConfig.ClientCredentials(tokenEndpoint, gatewayResource,
                        Secret.of(GATEWAY_SECRET, "test"), List.of(), Optional.empty()))
                .withTokenExchange(new UpstreamConfig.TokenExchange(tokenEndpoint, gatewayResource,
                        Secret.of(GATEWAY_SECRET, "test"), List.of(), Optional.empty())
                        .withAudiences(List.of(upstreamResource))))
                .withPrefix("tickets_");
        gateway = Gateway.connect(List.of(config));
        ResourceServer gatewayRs = ResourceServer.create(ResourceServerConfig.of(URI.create(gatewayResource),
                List.of(TrustedIssuer.discover(keycloak.issuer())), Set.of("tickets:read")));
        McpServer front = McpServer.builder("gateway", "1").backend(gateway.backend())
                .controls(gatewayRs.controls()).build();
        gatewayHttp = HttpTransport.builder(front, HttpOptions.loopback(gatewayPort)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {gatewayHttp, gateway, upstreamHttp, keycloak}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static ObjectNode whoami() {
        return call("tickets_whoami");
    }

    static ObjectNode call(String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        return p;
    }

    static String alicesToken() throws Exception {
        return keycloak.password("warden-app", "alice", "alice-password", null);
    }

    @Test
    void theUpstreamGetsAKeycloakTokenForItselfWithAliceAsSubjectAndTheGatewayAsAuthorizedParty() throws Exception {
        String alices = alicesToken();
        JWTClaimsSet hers = JWTParser.parse(alices).getJWTClaimsSet();
        assertThat(hers.getAudience()).contains(gatewayResource).doesNotContain(upstreamResource);

        upstreamSaw.clear();
        try (McpClient alice = McpClient.http(URI.create(gatewayResource)).era(McpClient.Era.MODERN)
                .bearerToken(() -> Optional.of(alices)).build()) {
            for (int i = 0; i < 2; i++) {
                assertThat(alice.request("tools/call", whoami()).path("content").path(0).path("text").asString())
                        .isEqualTo("subject=" + hers.getSubject() + " client=" + gatewayResource);
            }
        }

        // What reached the upstream: never Alice's token; a token for the upstream alone, about Alice, from the gateway
        assertThat(upstreamSaw).hasSize(2).doesNotContain("Bearer " + alices);
        assertThat(upstreamSaw.get(0)).isEqualTo(upstreamSaw.get(1)); // exchanged once, kept for her next call
        JWTClaimsSet sent = JWTParser.parse(upstreamSaw.get(0).substring("Bearer ".length())).getJWTClaimsSet();
        assertThat(sent.getIssuer()).isEqualTo(keycloak.issuer());
        assertThat(sent.getSubject()).isEqualTo(hers.getSubject());
        assertThat(sent.getAudience()).contains(upstreamResource).doesNotContain(gatewayResource);
        assertThat(sent.getStringClaim("azp")).isEqualTo(gatewayResource);
        // Keycloak dates the exchanged token from the exchange, by its own lifespan (a second or so past hers): the
        // gateway stops using it when hers expires (UpstreamCredentialsTest), the upstream would not
    }

    @Test
    void alicesOwnTokenSentStraightToTheUpstreamIsRefused() throws Exception {
        String alices = alicesToken();
        try (McpClient passthrough = McpClient.http(URI.create(upstreamResource)).era(McpClient.Era.MODERN)
                .bearerToken(() -> Optional.of(alices)).build()) {
            assertThatThrownBy(() -> passthrough.request("tools/call", call("whoami")))
                    .isInstanceOfSatisfying(McpClientException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));
        }
    }
}
