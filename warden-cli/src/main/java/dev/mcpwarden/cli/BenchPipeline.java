package dev.mcpwarden.cli;

import com.nimbusds.jose.JOSEException;
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
import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.Security;
import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditConfig;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.AuditSink;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.audit.FsyncPolicy;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.guard.Redactor;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.security.oauth.AccessPolicy;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.security.oauth.TrustedIssuer;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.security.ratelimit.RateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimiterFactory;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The benchmark's echo server with the whole security pipeline in front of it, wired the way a user would wire a
 * production server: audit to a file (one hash-chained record per call, off the request thread), JWT validation
 * against a trusted issuer's keys, a CEL policy, a per-principal rate limit (high enough never to refuse the
 * benchmark, but checked on every call), tool integrity against pins, and output guards (secret redaction).
 */
public final class BenchPipeline {

    /** The issuer of the ephemeral keys minted when no issuer is given. */
    public static final String EPHEMERAL_ISSUER = "https://bench.warden.invalid";

    private BenchPipeline() {
    }

    /** A started transport, and the audit log and rate limiter to close after it. */
    record Running(HttpTransport http, AuditLog audit, RateLimiter limiter) {
        void close() {
            http.close();
            audit.close();
            if (limiter instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing at exit: nothing left to tell
                }
            }
        }
    }

    /**
     * How this process is one replica of several behind a load balancer.
     *
     * @param publicPort the port clients reach (the load balancer's), which the resource and the ephemeral token
     *                   name; null: the port served
     * @param keyFile    with an ephemeral key: the file it is read from, or created in by the first replica, so that
     *                   every replica trusts the same key; null: a key of this process only
     * @param shared     what is shared with the other replicas (rate limits and 2025 sessions in Redis, the
     *                   replica's own audit chain)
     */
    record Replica(Integer publicPort, Path keyFile, SharedState shared) {
        static Replica single() {
            return new Replica(null, null, SharedState.of(null, null));
        }
    }

    /**
     * Starts the secured echo server.
     *
     * @param issuer    the trusted issuer, with {@code jwks}; both null to mint an ephemeral key pair and write a
     *                  token for it to {@code tokenFile}
     * @param auditFile where audit records go
     */
    static Running start(int port, String issuer, JWKSet jwks, Path tokenFile, Path auditFile) throws Exception {
        return start(port, issuer, jwks, tokenFile, auditFile, FsyncPolicy.everyRecord(), Replica.single());
    }

    static Running start(int port, String issuer, JWKSet jwks, Path tokenFile, Path auditFile, FsyncPolicy fsync,
                         Replica replica) throws Exception {
        return start(port, issuer, jwks, tokenFile, auditFile, fsync, replica, null);
    }

    /** As above, with {@code listener} (telemetry, or null) on the pipeline's event stream. */
    static Running start(int port, String issuer, JWKSet jwks, Path tokenFile, Path auditFile, FsyncPolicy fsync,
                         Replica replica, dev.mcpwarden.server.events.SecurityEventListener listener)
            throws Exception {
        HttpOptions options = HttpOptions.loopback(port);
        // The resource names the port clients reach; with --port 0 tokens cannot know it in advance.
        int publicPort = replica.publicPort() != null ? replica.publicPort() : port;
        URI resource = URI.create("http://127.0.0.1:" + publicPort + "/mcp");
        if (issuer == null) {
            ECKey key = replica.keyFile() != null ? sharedKey(replica.keyFile())
                    : new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
            jwks = new JWKSet(key.toPublicJWK());
            issuer = EPHEMERAL_ISSUER;
            writeToken(tokenFile, key, issuer, resource);
        }
        AuditConfig audit = replica.shared().audit(new AuditConfig(Optional.of(auditFile),
                AuditLogOptions.defaults().withFsync(fsync)));
        AuditLog log = AuditLog.open(AuditSink.file(audit.chainFile().orElseThrow()), audit.options(),
                InstantSource.system());
        RateLimiter limiter = RateLimiterFactory.of(replica.shared().limiter(new LimiterConfig.Local(100_000)),
                InstantSource.system());
        Secured secured = secure(ResourceServerConfig.of(resource, List.of(TrustedIssuer.withKeys(issuer, jwks)),
                Set.of("bench")), log, limiter, listener);
        HttpTransport http = replica.shared().http(HttpTransport.builder(secured.server(), options)).start();
        return new Running(http, log, limiter);
    }

    /**
     * The ephemeral signing key in {@code file}: read, or generated and written there (readable by its owner only)
     * when absent. Of replicas starting at once, one writes it and the others read that one.
     */
    static ECKey sharedKey(Path file) throws IOException, JOSEException {
        for (int attempt = 0; ; attempt++) {
            if (Files.exists(file)) {
                try {
                    ECKey key = ECKey.parse(Files.readString(file));
                    if (!key.isPrivate()) {
                        throw new IOException(file + " holds a public key; delete it to start over");
                    }
                    return key;
                } catch (java.text.ParseException e) {
                    throw new IOException("cannot read the benchmark signing key " + file + ": " + e.getMessage()
                            + " (delete it to start over)", e);
                }
            }
            if (attempt > 0) {
                throw new IOException("cannot create the benchmark signing key " + file);
            }
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "key", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's own permissions apply
                }
                Files.writeString(tmp, key.toJSONString());
                Files.createLink(file, tmp); // fails if it exists: the key another replica wrote is read instead
                return key;
            } catch (FileAlreadyExistsException e) {
                // read it on the next attempt
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The echo server behind the whole MCP-level pipeline, auditing into {@code log}, with the resource server
     * (whose authenticator goes in front) and the audit it shares. The JMH benchmarks (bench/jmh) measure exactly
     * this wiring.
     */
    public record Secured(McpServer server, ResourceServer resourceServer, Audit audit) {
    }

    /** See {@link Secured}. */
    public static Secured secure(ResourceServerConfig config, AuditLog log) {
        return secure(config, log, new LocalRateLimiter(100_000, InstantSource.system()));
    }

    /** See {@link Secured}, with {@code listener} (telemetry) on the event stream. */
    public static Secured secure(ResourceServerConfig config, AuditLog log,
                                 dev.mcpwarden.server.events.SecurityEventListener listener) {
        return secure(config, log, new LocalRateLimiter(100_000, InstantSource.system()), listener);
    }

    /** See {@link Secured}; the rate limit counts in {@code limiter} (this process's, or a shared Redis). */
    static Secured secure(ResourceServerConfig config, AuditLog log, RateLimiter limiter) {
        return secure(config, log, limiter, null);
    }

    static Secured secure(ResourceServerConfig config, AuditLog log, RateLimiter limiter,
                          dev.mcpwarden.server.events.SecurityEventListener listener) {
        Audit audit = Audit.to(AuditTrail.of(log));
        ResourceServer rs = ResourceServer.builder(config).policy(policy()).build();
        McpServer plain = BenchServerCommand.server();
        PinFile pins = PinFile.of(Definition.allOf(plain.backend().definitions()));
        Security.Builder security = Security.builder(rs);
        if (listener != null) {
            security.listener(listener);
        }
        McpServer.Builder b = McpServer.builder("warden-bench", "1").controls(security
                .audit(audit)
                .integrity(PinStore.memory(pins))
                .rateLimit(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(10_000_000)),
                        List.of(), limiter,
                        RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                .outputGuards(OutputGuardStage.builder().redactor(Redactor.secrets()).build())
                .build());
        return new Secured(BenchServerCommand.addTools(b).build(), rs, audit);
    }

    /** A realistic small policy: callers need the bench scope and a subject; nobody may call delete tools. */
    public static PolicySet policySet() {
        return PolicySet.builder()
                .allow("bench-callers", "tool:*", "'bench' in principal.scopes && principal.sub != ''")
                .deny("no-deletes", "tool:delete_*", "true")
                .build();
    }

    static AccessPolicy policy() {
        return policySet().asAccessPolicy();
    }

    private static void writeToken(Path file, ECKey key, String issuer, URI resource) throws Exception {
        try {
            Files.writeString(file, token(key, issuer, resource));
        } catch (IOException e) {
            throw new IOException("cannot write the benchmark token to " + file + ": " + e.getMessage(), e);
        }
    }

    /** A fresh ES256 access token ({@code at+jwt}, distinct jti) for subject {@code bench}, valid for a day. */
    public static String token(ECKey key, String issuer, URI resource) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).subject("bench").audience(resource.toString())
                .claim("scope", "bench").claim("client_id", "bench-load")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(1, ChronoUnit.DAYS)))
                .jwtID(UUID.randomUUID().toString()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
