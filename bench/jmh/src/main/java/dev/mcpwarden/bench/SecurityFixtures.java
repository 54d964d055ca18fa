package dev.mcpwarden.bench;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.mcpwarden.cli.BenchPipeline;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.AuditSink;
import dev.mcpwarden.security.audit.FsyncPolicy;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.auth.Authenticator;
import java.net.URI;
import java.time.InstantSource;
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

    static final String ISSUER = BenchPipeline.EPHEMERAL_ISSUER;
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
            return BenchPipeline.token(key, ISSUER, RESOURCE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** BenchPipeline's policy: callers need the bench scope and a subject; nobody may call delete tools. */
    static PolicySet policy() {
        return BenchPipeline.policySet();
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
        BenchPipeline.Secured secured = BenchPipeline.secure(config, log);
        return new Pipeline(secured.server(), secured.resourceServer().authenticator());
    }

    /** The same pipeline with {@code listener} (telemetry) on its event stream. */
    Pipeline pipeline(AuditLog log, dev.mcpwarden.server.events.SecurityEventListener listener) {
        BenchPipeline.Secured secured = BenchPipeline.secure(config, log, listener);
        return new Pipeline(secured.server(), secured.resourceServer().authenticator());
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
