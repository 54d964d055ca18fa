package dev.mcpwarden.cli;

import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.server.http.HttpTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code warden sample-server}: the guarded multi-tenant help desk the attack corpus runs against. */
@Command(name = "sample-server", mixinStandardHelpOptions = true,
        description = "Serve the guarded multi-tenant help-desk sample, protected as an OAuth resource server "
                + "that trusts one issuer whose public keys are in a JWKS file.")
final class SampleServerCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    ReplicaOptions replica = new ReplicaOptions();

    @picocli.CommandLine.Mixin
    AdminPortOptions admin = new AdminPortOptions();

    @Option(names = "--port", required = true, description = "HTTP port on loopback.")
    int port;

    @Option(names = "--issuer", required = true, description = "The trusted token issuer (exact iss value).")
    String issuer;

    @Option(names = "--jwks-file", required = true, description = "The issuer's public keys (a JWKS file).")
    Path jwksFile;

    @Option(names = "--resource", required = true,
            description = "This server's canonical URI, e.g. http://127.0.0.1:PORT/mcp; tokens must name it in aud.")
    URI resource;

    @Option(names = "--audit-file", description = "Where audit records go: a hash-chained JSON-lines file, "
            + "checked with 'warden audit verify'. An existing log is continued.")
    Path auditFile;

    @Option(names = "--simulate-rug-pull", description = "Serve fetch_url with hidden instructions added to its "
            + "description after it was pinned; the integrity gate must withhold it.")
    boolean simulateRugPull;

    @Override
    public Integer call() throws Exception {
        if (simulateRugPull) {
            System.err.println("warden sample-server: --simulate-rug-pull: fetch_url's definition no longer matches "
                    + "its pin and will be withheld");
        }
        SharedState shared;
        try {
            shared = replica.shared();
        } catch (IllegalArgumentException e) {
            System.err.println("warden sample-server: " + e.getMessage());
            return 2;
        }
        CliTelemetry telemetry = CliTelemetry.of(admin, "warden-sample-server");
        HttpTransport http = SampleServer.start(port, resource, dev.mcpwarden.security.oauth.TrustedIssuer.withKeys(
                issuer, SampleServer.Options.readJwks(jwksFile)), auditFile, simulateRugPull, null,
                telemetry.apply(shared.deployment()));
        System.err.println("warden sample-server listening on " + http.uri() + " (resource " + resource + ")");
        try {
            telemetry.serveAdmin(http, System.err);
        } catch (IllegalStateException e) {
            System.err.println("warden sample-server: " + e.getMessage());
            http.close();
            shared.close();
            telemetry.close();
            return 1;
        }
        dev.mcpwarden.server.lifecycle.Shutdown.register(dev.mcpwarden.server.lifecycle.Shutdown.Phase.DRAIN,
                "sample-server", () -> {
                    http.drain(replica.shutdownGrace);
                    shared.close();
                    telemetry.close();
                });
        http.join();
        return 0;
    }
}
