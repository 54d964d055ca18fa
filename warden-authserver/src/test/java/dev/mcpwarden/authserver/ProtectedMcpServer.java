package dev.mcpwarden.authserver;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.tool.Tool;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An MCP server protected by Warden's resource server, trusting the test authorization server (keys by discovery
 * from its metadata). One tool, {@code whoami}, needing {@code tickets:read}, says who called.
 */
final class ProtectedMcpServer {

    private ProtectedMcpServer() {
    }

    static HttpTransport start(TestAuthServer as) {
        ResourceServer rs = ResourceServer.create(ResourceServerConfig.of(URI.create(as.resource),
                List.of(TrustedIssuer.discover(as.issuer)), Set.of("tickets:read")).withRequireAtJwtType(true));
        McpServer server = McpServer.builder("warden-authserver-test", "1.0.0").controls(rs.controls())
                .tool(Tool.builder("whoami").description("Who is calling")
                        .inputSchema("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}")
                        .requiredScopes("tickets:read")
                        .handler(ctx -> {
                            Principal p = ctx.principal();
                            return ToolResult.text("subject=" + p.subject() + " client=" + p.clientId()
                                    + " scopes=" + new TreeSet<>(p.scopes()) + " tenant=" + p.tenant());
                        })
                        .build())
                .build();
        return HttpTransport.builder(server, HttpOptions.loopback(as.resourcePort)).start();
    }
}
