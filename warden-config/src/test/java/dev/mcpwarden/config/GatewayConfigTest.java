package dev.mcpwarden.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.gateway.UpstreamConfig;
import dev.mcpwarden.security.integrity.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

    @TempDir
    Path dir;

    private WardenConfig.Result check(String gateway) {
        Map<String, SecretProvider> providers = new LinkedHashMap<>();
        providers.put("file", new FileSecretProvider());
        providers.put("env", new EnvSecretProvider(Map.of("TICKETS_TOKEN", "t0ken-of-the-gateway",
                "TICKETS_KEY", "k3y")));
        return WardenConfig.check(WardenConfigTest.MINIMAL + gateway, "warden.yaml", dir, providers);
    }

    private List<String> problems(String gateway) {
        return check(gateway).problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void theGatewaySectionBindsToTheGatewaysOwnUpstreamRecords() {
        WardenConfig.Result r = check("""
                gateway:
                  trust-on-first-use: true
                  upstreams:
                    - name: tickets
                      transport:
                        kind: http
                        url: http://10.0.0.5:8080/mcp
                        bearer: env:TICKETS_TOKEN
                        headers:
                          X-Api-Key: env:TICKETS_KEY
                      era: "2025"
                      prefix: tickets_
                      exclude: [delete_ticket]
                      request-timeout: 10s
                      max-concurrent: 8
                      failures-to-open: 3
                      open-for: 1m
                      withhold-poisoned: medium
                      untrusted-output: true
                    - name: files
                      transport:
                        kind: stdio
                        command: [node, server.js, /srv/docs]
                        environment:
                          LOG_LEVEL: info
                        sandbox:
                          kind: bubblewrap
                          network: true
                          max-processes: 32
                          max-memory-bytes: 536870912
                          max-cpu: 5m
                      isolation: per-principal
                      max-principal-processes: 4
                      principal-idle: 2m
                """);
        GatewayConfig g = r.orElseThrow().gateway().orElseThrow();
        assertThat(g.trustOnFirstUse()).isTrue();
        assertThat(g.untrustedOutput()).containsExactly("tickets");
        UpstreamConfig tickets = g.upstreams().get(0);
        assertThat(tickets.name()).isEqualTo("tickets");
        UpstreamConfig.Http http = (UpstreamConfig.Http) tickets.transport();
        assertThat(http.url()).isEqualTo(URI.create("http://10.0.0.5:8080/mcp"));
        assertThat(http.bearer().orElseThrow().reveal()).isEqualTo("t0ken-of-the-gateway");
        assertThat(http.headers().get("X-Api-Key").reveal()).isEqualTo("k3y");
        assertThat(tickets.era()).isEqualTo(UpstreamConfig.Era.LEGACY);
        assertThat(tickets.prefix()).contains("tickets_");
        assertThat(tickets.exclude()).isEqualTo(Set.of("delete_ticket"));
        assertThat(tickets.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tickets.resilience()).isEqualTo(new UpstreamConfig.Resilience(8, 3, Duration.ofMinutes(1)));
        assertThat(tickets.withholdPoisoned()).contains(Severity.MEDIUM);
        UpstreamConfig files = g.upstreams().get(1);
        UpstreamConfig.Stdio stdio = (UpstreamConfig.Stdio) files.transport();
        assertThat(stdio.command()).containsExactly("node", "server.js", "/srv/docs");
        assertThat(stdio.environment()).isEqualTo(Map.of("LOG_LEVEL", "info"));
        assertThat(stdio.sandbox()).isEqualTo(UpstreamConfig.Sandbox.bubblewrap().withNetwork()
                .withLimits(32, 536870912L, Duration.ofMinutes(5)));
        assertThat(files.era()).isEqualTo(UpstreamConfig.Era.AUTO);
        assertThat(files.isolation()).isEqualTo(UpstreamConfig.Isolation.perPrincipal(4, Duration.ofMinutes(2)));
        assertThat(tickets.isolation()).isEqualTo(UpstreamConfig.Isolation.SHARED);
        assertThat(files.withholdPoisoned()).contains(Severity.HIGH);
        assertThat(r.warnings()).containsExactly(
                "warden.yaml:16:17: warning: 'gateway.upstreams[0].transport.bearer': secret from environment variable"
                        + " TICKETS_TOKEN: environment variables leak to child processes and crash dumps; prefer file:",
                "warden.yaml:18:22: warning: 'gateway.upstreams[0].transport.headers.X-Api-Key': secret from"
                        + " environment variable TICKETS_KEY: environment variables leak to child processes and crash"
                        + " dumps; prefer file:");
    }

    @Test
    void anNpmPackageBindsToThePackageTheGatewayInstallsAndACommandToItsPinnedProgramDigest() {
        String integrity = "sha512-" + "k".repeat(86) + "==";
        WardenConfig.Result r = check("""
                gateway:
                  upstreams:
                    - name: files
                      transport:
                        kind: npm
                        package: "@modelcontextprotocol/server-filesystem@2026.8.31"
                        arguments: [/srv/docs]
                        cache: %s
                        integrity: %s
                        sandbox: {kind: bubblewrap, network: true}
                    - name: tool
                      transport:
                        kind: stdio
                        command: [/usr/bin/env]
                        program-digest: sha256:%s
                """.formatted(dir.resolve("cache"), integrity, "ab".repeat(32)));
        List<UpstreamConfig> ups = r.orElseThrow().gateway().orElseThrow().upstreams();
        assertThat(ups.get(0).transport()).isEqualTo(new UpstreamConfig.NpmPackage(
                "@modelcontextprotocol/server-filesystem", "2026.8.31", List.of("/srv/docs"), Map.of(),
                UpstreamConfig.Sandbox.bubblewrap().withNetwork(), dir.resolve("cache"),
                Optional.empty(), Optional.empty(), false, Optional.of(integrity)));
        assertThat(((UpstreamConfig.Stdio) ups.get(1).transport()).programDigest()).contains("sha256:" + "ab".repeat(32));
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void anUnpinnedPackageIsWarnedAboutAndAPackageWithoutAVersionIsRefused() {
        WardenConfig.Result r = check("""
                gateway:
                  upstreams:
                    - name: files
                      transport: {kind: npm, package: "@modelcontextprotocol/server-filesystem@latest", allow-unpinned: true}
                """);
        UpstreamConfig.NpmPackage p = (UpstreamConfig.NpmPackage) r.orElseThrow().gateway().orElseThrow().upstreams()
                .getFirst().transport();
        assertThat(p.pinned()).isFalse();
        assertThat(p.cache()).isEqualTo(UpstreamConfig.NpmPackage.defaultCache());
        assertThat(r.warnings()).containsExactly("warden.yaml:12:18: warning: 'gateway.upstreams[0].transport"
                + ".allow-unpinned': the package @modelcontextprotocol/server-filesystem@latest may install another "
                + "version than the one reviewed");
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: files
                      transport: {kind: npm, package: "@modelcontextprotocol/server-filesystem"}
                """)).singleElement().asString().contains("'gateway.upstreams[0].transport.package'");
    }

    @Test
    void anUnsandboxedCommandIsWarnedAbout() {
        WardenConfig.Result r = check("""
                gateway:
                  upstreams:
                    - name: files
                      transport:
                        kind: stdio
                        command: [node, server.js]
                        sandbox: {kind: none}
                """);
        assertThat(((UpstreamConfig.Stdio) r.orElseThrow().gateway().orElseThrow().upstreams().getFirst()
                .transport()).sandbox()).isEqualTo(UpstreamConfig.Sandbox.NONE);
        assertThat(r.warnings()).containsExactly("warden.yaml:15:18: warning: 'gateway.upstreams[0].transport.sandbox':"
                + " none runs the command unsandboxed, with the gateway's own rights (its files, its network, its"
                + " user)");
    }

    @Test
    void mistakesAreReportedWithTheirKeyPath() {
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: Tickets
                      transport: {kind: http, url: ftp://x/mcp, bearer: s3cret}
                      era: "2024"
                """)).containsExactly(
                "warden.yaml:11:13: 'gateway.upstreams[0].name' must be lower-case letters, digits and -, was"
                        + " \"Tickets\"",
                "warden.yaml:12:36: 'gateway.upstreams[0].transport.url' must be an absolute https or http URL, was"
                        + " \"ftp://x/mcp\"",
                "warden.yaml:12:57: 'gateway.upstreams[0].transport.bearer' must be a secret reference (file:... or"
                        + " env:...), not a literal",
                "warden.yaml:13:12: 'gateway.upstreams[0].era' must be one of: auto, 2025, 2026, was \"2024\"");
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: a
                      transport: {kind: stdio, command: [x]}
                    - name: a
                      transport: {kind: stdio, command: [y]}
                """)).containsExactly("warden.yaml:13:13: 'gateway.upstreams[1].name': two upstreams are named a");
        assertThat(problems("""
                gateway:
                  upstreams: []
                """)).hasSize(1);
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: t
                      transport: {kind: http, url: "https://t.example/mcp"}
                      isolation: per-principal
                """)).containsExactly("warden.yaml:11:7: invalid 'gateway.upstreams[0]': upstream t: isolation"
                + " per-principal is only for stdio upstreams (the gateway starts no process of an HTTP upstream)");
    }

    @Test
    void clientCredentialsBindToTheUpstreamsOwnOAuthClientAndExcludeAStaticBearer() {
        WardenConfig.Result r = check("""
                gateway:
                  upstreams:
                    - name: tickets
                      transport:
                        kind: http
                        url: https://tickets.example/mcp
                        client-credentials:
                          token-endpoint: https://as.example/oauth/token
                          client-id: warden-gateway
                          client-secret: env:TICKETS_KEY
                          scopes: [tickets:read]
                """);
        var http = (dev.mcpwarden.gateway.UpstreamConfig.Http) r.orElseThrow().gateway().orElseThrow().upstreams()
                .getFirst().transport();
        var cc = http.clientCredentials().orElseThrow();
        assertThat(cc.tokenEndpoint()).hasToString("https://as.example/oauth/token");
        assertThat(cc.clientId()).isEqualTo("warden-gateway");
        assertThat(cc.clientSecret().reveal()).isEqualTo("k3y");
        assertThat(cc.scopes()).containsExactly("tickets:read");
        assertThat(cc.resource()).isEmpty();
        assertThat(http.bearer()).isEmpty();
        assertThat(http.tokenExchange()).isEmpty();

        var exchanging = (dev.mcpwarden.gateway.UpstreamConfig.Http) check("""
                gateway:
                  upstreams:
                    - name: tickets
                      transport:
                        kind: http
                        url: https://tickets.example/mcp
                        bearer: env:TICKETS_TOKEN
                        token-exchange:
                          token-endpoint: https://as.example/oauth/token
                          client-id: warden-gateway
                          client-secret: env:TICKETS_KEY
                          resource: https://tickets.example/
                          audiences: [tickets-api]
                """).orElseThrow().gateway().orElseThrow().upstreams().getFirst().transport();
        var te = exchanging.tokenExchange().orElseThrow();
        assertThat(te.clientId()).isEqualTo("warden-gateway");
        assertThat(te.resource()).contains(java.net.URI.create("https://tickets.example/"));
        assertThat(te.scopes()).isEmpty();
        assertThat(te.audiences()).containsExactly("tickets-api");
        assertThat(exchanging.bearer().orElseThrow().reveal()).isEqualTo("t0ken-of-the-gateway");
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: tickets
                      era: "2025"
                      transport:
                        kind: http
                        url: https://tickets.example/mcp
                        token-exchange: {token-endpoint: "https://as.example/token", client-id: g, client-secret: env:TICKETS_KEY}
                """)).singleElement().asString().contains("upstream tickets: token exchange needs a 2026-07-28 "
                + "upstream (a 2025 session would carry every caller's token)");

        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: tickets
                      transport:
                        kind: http
                        url: https://tickets.example/mcp
                        bearer: env:TICKETS_TOKEN
                        client-credentials: {token-endpoint: "https://as.example/token", client-id: g, client-secret: env:TICKETS_KEY}
                """)).singleElement().asString().contains("bearer").contains("client-credentials");
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: tickets
                      transport:
                        kind: http
                        url: https://tickets.example/mcp
                        client-credentials: {token-endpoint: "http://as.example/token", client-id: g, client-secret: env:TICKETS_KEY}
                """)).singleElement().asString().contains("a token endpoint must be https:// (http:// only on a "
                + "loopback address)");
    }

    @Test
    void anUpstreamsCachePolicyBindsAndATtlWithoutToolsOrToolsWithoutATtlAreMistakes() {
        GatewayConfig g = check("""
                gateway:
                  upstreams:
                    - name: files
                      transport: {kind: http, url: "https://files.example/mcp"}
                      cache: {legacy-ttl: 30s, tools: [lookup], tool-ttl: 5m}
                    - name: plain
                      transport: {kind: http, url: "https://plain.example/mcp"}
                """).orElseThrow().gateway().orElseThrow();
        assertThat(g.upstreams().get(0).cache()).isEqualTo(new UpstreamConfig.Cache(java.time.Duration.ofSeconds(30),
                java.util.Set.of("lookup"), java.time.Duration.ofMinutes(5)));
        assertThat(g.upstreams().get(1).cache()).isEqualTo(UpstreamConfig.Cache.hinted());
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: t
                      transport: {kind: http, url: "https://t.example/mcp"}
                      cache: {tools: [lookup]}
                """)).containsExactly("warden.yaml:11:7: invalid 'gateway.upstreams[0]': tools whose results are"
                + " cached need a positive TTL");
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: t
                      transport: {kind: http, url: "https://t.example/mcp"}
                      cache: {legacy-ttl: 2d}
                """)).hasSize(1);
    }

    @Test
    void aToolTransformBindsToTheGatewaysRecordAndAConstraintOnAnArgumentTheGatewaySetsIsAMistake() {
        GatewayConfig g = check("""
                gateway:
                  upstreams:
                    - name: docs
                      transport: {kind: http, url: "https://docs.example/mcp"}
                      transform:
                        search:
                          name: find_documents
                          description: Finds the caller's documents.
                          fixed: {region: eu}
                          defaults: {mode: fast}
                          from-principal: {tenant: tenant}
                          remove: [debug]
                          constraints:
                            mode: {enum: [fast, exact]}
                            query: {pattern: "[a-z ]+", max-length: 20}
                            path: {path-roots: [/srv/docs]}
                          drop-result: [/structuredContent/internalId]
                """).orElseThrow().gateway().orElseThrow();
        UpstreamConfig.ToolTransform t = g.upstreams().getFirst().transforms().get("search");
        assertThat(t).isEqualTo(UpstreamConfig.ToolTransform.none()
                .renamed("find_documents", "Finds the caller's documents.")
                .withFixed("region", dev.mcpwarden.core.json.Json.nodes().stringNode("eu"))
                .withDefault("mode", dev.mcpwarden.core.json.Json.nodes().stringNode("fast"))
                .withFromPrincipal("tenant", UpstreamConfig.PrincipalField.TENANT)
                .withRemoved(Set.of("debug"))
                .withConstraint("mode", UpstreamConfig.Constraint.oneOf(List.of("fast", "exact")))
                .withConstraint("query", UpstreamConfig.Constraint.matching("[a-z ]+", 20))
                .withConstraint("path", UpstreamConfig.Constraint.under(List.of("/srv/docs")))
                .withResult(List.of("/structuredContent/internalId"), List.of()));
        assertThat(problems("""
                gateway:
                  upstreams:
                    - name: t
                      transport: {kind: http, url: "https://t.example/mcp"}
                      transform:
                        search:
                          from-principal: {tenant: tenant}
                          constraints: {tenant: {max-length: 3}}
                """)).containsExactly("warden.yaml:15:11: invalid 'gateway.upstreams[0].transform.search': the"
                + " argument 'tenant' is set by the gateway or removed: a constraint on it is never checked");
    }

    @Test
    void aFileWithoutTheSectionIsNoGateway() {
        assertThat(check("").orElseThrow().gateway()).isEqualTo(Optional.empty());
    }
}
