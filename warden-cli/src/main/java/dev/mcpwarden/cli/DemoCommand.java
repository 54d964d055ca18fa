package dev.mcpwarden.cli;

import dev.mcpwarden.authserver.AuthorizationServer;
import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.security.SecurityConfig;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.Introspection;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.server.http.HttpTransport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warden demo}: the guarded sample server, secured out of the box by the embedded authorization server on
 * the same loopback origin, with a development user; prints what an MCP client needs.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start the guarded sample MCP server on loopback, protected by the embedded OAuth 2.1 "
                + "authorization server with a development user, and print how to connect an MCP client.")
final class DemoCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    ReplicaOptions replica = new ReplicaOptions();

    @picocli.CommandLine.Mixin
    AdminPortOptions admin = new AdminPortOptions();

    @Option(names = "--port", description = "HTTP port (0 picks a free one). Default: ${DEFAULT-VALUE}")
    int port = 8765;

    @Option(names = "--state-dir", description = "Where the demo keeps its signing key (shared with 'warden "
            + "token'). Default: $WARDEN_HOME/demo or ~/.warden/demo")
    Path stateDir;

    @Option(names = "--audit-file", description = "Write the hash-chained audit log here.")
    Path auditFile;

    @Option(names = "--public-port", paramLabel = "PORT", description = "The loopback port clients reach the demo "
            + "on when it is not --port (a load balancer in front of replicas): the issuer and the resource name it.")
    Integer publicPort;

    @Option(names = "--insecure-allow-loopback-client-metadata", description = "DEVELOPMENT ONLY: also fetch "
            + "Client ID Metadata Documents from loopback addresses (http or https), so an MCP client on this machine "
            + "can try CIMD against the demo. Warned about at start.")
    boolean loopbackClientMetadata;

    /** A running demo: the MCP endpoint with the authorization server mounted beside it, and the user's password. */
    record Running(HttpTransport http, AuthorizationServer as, String password, SharedState shared)
            implements AutoCloseable {
        @Override
        public void close() {
            http.close();
            as.close();
            shared.close();
        }

        /** Stops gracefully (see {@link HttpTransport#drain}). */
        void drain(java.time.Duration grace) {
            http.drain(grace);
            as.close();
            shared.close();
        }
    }

    /** Starts the demo; port 0 picks a free port first (the issuer and the resource name it). */
    static Running start(int port, Path stateDir, Path auditFile) throws java.io.IOException {
        return start(port, null, stateDir, auditFile, SharedState.of(null, null));
    }

    /**
     * Starts one replica of the demo: on {@code port}, reached by clients on {@code publicPort} (null: the same),
     * sharing {@code shared}. Replicas that share a Redis also share the state directory's password.
     */
    static Running start(int port, Integer publicPort, Path stateDir, Path auditFile, SharedState shared)
            throws java.io.IOException {
        return start(port, publicPort, stateDir, auditFile, shared, false, CliTelemetry.off());
    }

    /** As {@link #start(int, Integer, Path, Path, SharedState)}, with {@code telemetry} on its event stream. */
    static Running start(int port, Integer publicPort, Path stateDir, Path auditFile, SharedState shared,
                         CliTelemetry telemetry) throws java.io.IOException {
        return start(port, publicPort, stateDir, auditFile, shared, false, telemetry);
    }

    /**
     * The same; {@code loopbackClientMetadata}: see {@code --insecure-allow-loopback-client-metadata};
     * {@code telemetry} on its event stream.
     */
    static Running start(int port, Integer publicPort, Path stateDir, Path auditFile, SharedState shared,
                         boolean loopbackClientMetadata, CliTelemetry telemetry) throws java.io.IOException {
        int p = port != 0 ? port : DemoAuth.freeLoopbackPort();
        int pub = publicPort != null ? publicPort : p;
        String password = shared.redis().isPresent() ? DemoAuth.sharedPassword(stateDir) : DemoAuth.newPassword();
        // each replica's resource server introspects at its own authorization server, so a secret per process
        String rsSecret = shared.redis().isPresent() ? DemoAuth.sharedIntrospectionSecret(stateDir)
                : dev.mcpwarden.authserver.token.TokenService.randomToken();
        AuthorizationServer as = DemoAuth.authorizationServer(pub, DemoAuth.hash(password), stateDir, shared,
                rsSecret, loopbackClientMetadata);
        SampleServer.Deployment base = shared.deployment();
        Introspection introspection = DemoAuth.introspection(pub, rsSecret);
        SampleServer.Deployment deployment = new SampleServer.Deployment(
                security -> {
                    SecurityConfig s = base.security().apply(security);
                    AuthenticationConfig a = s.authentication();
                    return s.withAuthentication(new AuthenticationConfig(a.resourceServer(), a.dpop(),
                            java.util.Optional.of(introspection)));
                },
                base.http());
        deployment = telemetry.apply(deployment);
        HttpTransport http = SampleServer.start(p, DemoAuth.resource(pub),
                TrustedIssuer.discover(DemoAuth.issuer(pub).toString()), auditFile, false, as.handler(),
                deployment);
        // `warden token` mints for this endpoint when it is not told one (the demo may be on any port).
        java.nio.file.Files.createDirectories(stateDir);
        java.nio.file.Files.writeString(stateDir.resolve(DemoAuth.ENDPOINT_FILE), DemoAuth.resource(pub) + "\n");
        return new Running(http, as, password, shared);
    }

    @Override
    public Integer call() throws Exception {
        Path dir = stateDir != null ? stateDir : DemoAuth.defaultStateDir();
        SharedState shared;
        try {
            shared = replica.shared();
        } catch (IllegalArgumentException e) {
            System.err.println("warden demo: " + e.getMessage());
            return 2;
        }
        CliTelemetry telemetry = CliTelemetry.of(admin, "warden-demo");
        Running running = start(port, publicPort, dir, auditFile, shared, loopbackClientMetadata, telemetry);
        HttpTransport http = running.http();
        try {
            telemetry.serveAdmin(http, System.out);
        } catch (IllegalStateException e) {
            System.err.println("warden demo: " + e.getMessage());
            running.close();
            telemetry.close();
            return 1;
        }
        AuthorizationServer as = running.as();
        String password = running.password();
        int p = http.port();
        dev.mcpwarden.server.lifecycle.Shutdown.register(dev.mcpwarden.server.lifecycle.Shutdown.Phase.DRAIN,
                "demo", () -> {
                    running.drain(replica.shutdownGrace);
                    telemetry.close();
                });
        String tokenCmd = "./warden token" + (p == 8765 ? "" : " --url " + http.uri())
                + (stateDir == null ? "" : " --state-dir " + stateDir);
        System.out.println("""
                Warden demo: the guarded help-desk sample, secured by the embedded OAuth 2.1 authorization server.

                  MCP endpoint (Streamable HTTP, protocol 2026-07-28 and 2025-11-25/06-18/03-26):
                    %s
                  Authorization server (issuer):
                    %s
                  Sign in as:  %s   password: %s   (tenant acme, role admin; a new password every start)

                Add the endpoint to an MCP client; it discovers the authorization server, registers itself and
                opens the sign-in and consent pages in your browser. For example:
                  Claude Code:     claude mcp add --transport http warden-demo %s
                  MCP Inspector:   npx @modelcontextprotocol/inspector  (transport: Streamable HTTP, URL above)
                For scripts, a development token (signed with the key in %s):
                    curl -s %s -H "Authorization: Bearer $(%s)" \\
                      -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
                      -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list' \\
                      -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'

                Every request without a valid token is refused (401). The server listens on loopback only.
                Press Ctrl+C to stop.""".formatted(http.uri(), as.issuer(), DemoAuth.USER, password, http.uri(),
                dir, http.uri(), tokenCmd));
        System.out.flush();
        http.join();
        return 0;
    }
}
