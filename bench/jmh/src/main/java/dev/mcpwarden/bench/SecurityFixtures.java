package dev.mcpwarden.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.AuditSink;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.audit.FsyncPolicy;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.guard.Redactor;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.IntegrityGate;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.tool.Tool;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The security pipeline of {@code warden bench-server --pipeline full} (warden-cli's BenchPipeline), assembled the
 * same way for in-process benchmarks: an ES256 issuer and a token for it, the resource server with the CEL policy
 * and the audit trail, the audit, integrity, rate-limit and output-guard stages.
 */
final class SecurityFixtures {

    static final String ISSUER = "https://bench.warden.invalid";
    static final URI RESOURCE = URI.create("http://127.0.0.1:3110/mcp");

    final ECKey key;
    final JWKSet jwks;
    final ResourceServerConfig config;

    SecurityFixtures() {
        try {
            key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        jwks = new JWKSet(key.toPublicJWK());
        config = ResourceServerConfig.of(RESOURCE, List.of(TrustedIssuer.withKeys(ISSUER, jwks)), Set.of("bench"));
    }

    /** A fresh ES256 access token (distinct jti) valid for a day, for subject {@code bench}. */
    String token() {
        try {
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(ISSUER).subject("bench").audience(RESOURCE.toString())
                    .claim("scope", "bench").claim("client_id", "bench-load")
                    .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(1, ChronoUnit.DAYS)))
                    .jwtID(UUID.randomUUID().toString()).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(new JOSEObjectType("at+jwt")).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** BenchPipeline's policy: callers need the bench scope and a subject; nobody may call delete tools. */
    static PolicySet policy() {
        return PolicySet.builder()
                .allow("bench-callers", "tool:*", "'bench' in principal.scopes && principal.sub != ''")
                .deny("no-deletes", "tool:delete_*", "true")
                .build();
    }

    /** A slightly richer 4-rule policy, with a rule reading the arguments. */
    static PolicySet richPolicy() {
        return PolicySet.builder()
                .allow("bench-callers", "tool:*", "'bench' in principal.scopes && principal.sub != ''")
                .deny("no-deletes", "tool:delete_*", "true")
                .deny("no-huge-echo", "tool:echo", "has(args.text) && size(args.text) > 10000")
                .allow("admins", "*", "'admin' in principal.roles")
                .build();
    }

    /** A sink that keeps nothing: the audit log still serialises, chains and hashes every record. */
    static AuditSink discardingSink() {
        return new AuditSink() {
            @Override
            public Optional<Existing> open() {
                return Optional.empty();
            }

            @Override
            public void append(byte[] bytes, int offset, int length) {
            }

            @Override
            public void force() {
            }

            @Override
            public String describe() {
                return "discarding sink";
            }

            @Override
            public void close() {
            }
        };
    }

    /** An audit log that discards its records, with BenchPipeline's default options but no fsync. */
    static AuditLog discardingLog() {
        try {
            return AuditLog.open(discardingSink(), AuditLogOptions.defaults().withFsync(FsyncPolicy.never()),
                    InstantSource.system());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The echo server with BenchPipeline's full stage list, and the authenticator in front of it. */
    record Pipeline(McpServer server, Authenticator authenticator) {
    }

    Pipeline pipeline(AuditLog log) {
        Audit audit = Audit.to(AuditTrail.of(log));
        ResourceServer rs = ResourceServer.builder(config).policy(policy().asAccessPolicy()).audit(audit).build();
        McpServer.Builder b = rs.protect(audit.protect(McpServer.builder("warden-bench", "1")));
        McpServer plain = addTools(McpServer.builder("warden-bench", "1")).build();
        PinFile pins = PinFile.of(Definition.allOf(plain.catalog()));
        b.stage(IntegrityStage.of(IntegrityGate.builder(PinStore.memory(pins)).listener(audit.integrityListener())
                        .build()))
                .stage(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(10_000_000)),
                        List.of(), new LocalRateLimiter(100_000, InstantSource.system()),
                        RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                .stage(OutputGuardStage.builder().redactor(Redactor.secrets()).build());
        return new Pipeline(addTools(b).build(), rs.authenticator());
    }

    static McpServer.Builder addTools(McpServer.Builder b) {
        return b.tool(Tool.fromRecord("echo", "Echo text", Requests.Echo.class,
                (args, ctx) -> ToolResult.text(args.text())));
    }

    /** The request head of an HTTP POST carrying {@code token}. */
    static Authenticator.RequestHead head(String token, String correlationId) {
        String authorization = "Bearer " + token;
        List<String> one = List.of(authorization);
        return new Authenticator.RequestHead() {
            @Override
            public String method() {
                return "POST";
            }

            @Override
            public String header(String name) {
                return "Authorization".equalsIgnoreCase(name) ? authorization : null;
            }

            @Override
            public List<String> headers(String name) {
                return "Authorization".equalsIgnoreCase(name) ? one : List.of();
            }

            @Override
            public String query() {
                return null;
            }

            @Override
            public String url() {
                return RESOURCE.toString();
            }

            @Override
            public String correlationId() {
                return correlationId;
            }

            @Override
            public String remoteAddress() {
                return "127.0.0.1";
            }
        };
    }
}
