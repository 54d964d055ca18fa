package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.UserAgent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Ports;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The handler serves its own paths and declines the rest, so it can share a Jetty server with an MCP endpoint. */
class MountTest {

    @Test
    void theHandlerAnswersItsPathsAndLetsEverythingElseThrough() throws Exception {
        int port = Ports.free();
        String origin = "http://127.0.0.1:" + port;
        AuthorizationServer as = AuthorizationServer.builder(AuthServerConfig.defaults(URI.create(origin),
                Set.of(origin + "/mcp"))).build();
        Server jetty = new Server();
        ServerConnector c = new ServerConnector(jetty);
        c.setHost("127.0.0.1");
        c.setPort(port);
        jetty.addConnector(c);
        jetty.setHandler(new Handler.Sequence(as.handler(), new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(("mcp endpoint saw " + Request.getPathInContext(request))
                        .getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }));
        jetty.start();
        try {
            UserAgent ua = new UserAgent();
            assertThat(ua.get(origin + "/mcp").body()).isEqualTo("mcp endpoint saw /mcp");
            assertThat(ua.get(origin + "/.well-known/oauth-protected-resource/mcp").body())
                    .isEqualTo("mcp endpoint saw /.well-known/oauth-protected-resource/mcp");
            assertThat(TestAuthServer.json(ua.get(origin + "/.well-known/oauth-authorization-server"))
                    .get("issuer").asString()).isEqualTo(origin);
            assertThat(ua.get(origin + "/jwks").status()).isEqualTo(200);
            assertThat(as.paths()).isEqualTo(List.of("/authorize", "/token", "/register", "/revoke", "/introspect", "/jwks",
                    "/login", "/login/upstream", "/login/callback", "/consent",
                    "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"));
        } finally {
            jetty.stop();
            as.close();
        }
    }
}
