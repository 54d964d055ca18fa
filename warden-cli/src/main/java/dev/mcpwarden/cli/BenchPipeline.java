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
import dev.mcpwarden.security.ratelimit.LocalRateLimiter;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
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

    /** A started transport and the audit log to close after it. */
    record Running(HttpTransport http, AuditLog audit) {
    }

    /**
     * Starts the secured echo server.
     *
     * @param issuer    the trusted issuer, with {@code jwks}; both null to mint an ephemeral key pair and write a
     *                  token for it to {@code tokenFile}
     * @param auditFile where audit records go
     */
    static Running start(int port, String issuer, JWKSet jwks, Path tokenFile, Path auditFile) throws Exception {
        return start(port, issuer, jwks, tokenFile, auditFile, FsyncPolicy.everyRecord());
    }

    static Running start(int port, String issuer, JWKSet jwks, Path tokenFile, Path auditFile, FsyncPolicy fsync)
            throws Exception {
        HttpOptions options = HttpOptions.loopback(port);
        // The resource names the port actually requested; with --port 0 tokens cannot know it in advance.
        URI resource = URI.create("http://127.0.0.1:" + port + "/mcp");
        if (issuer == null) {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
            jwks = new JWKSet(key.toPublicJWK());
            issuer = EPHEMERAL_ISSUER;
            writeToken(tokenFile, key, issuer, resource);
        }
        AuditLog log = AuditLog.open(AuditSink.file(auditFile), AuditLogOptions.defaults().withFsync(fsync),
                InstantSource.system());
        Secured secured = secure(ResourceServerConfig.of(resource, List.of(TrustedIssuer.withKeys(issuer, jwks)),
                Set.of("bench")), log);
        HttpTransport http = secured.server().serveHttp(options);
        return new Running(http, log);
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
        Audit audit = Audit.to(AuditTrail.of(log));
        ResourceServer rs = ResourceServer.builder(config).policy(policy()).build();
        McpServer plain = BenchServerCommand.server();
        PinFile pins = PinFile.of(Definition.allOf(plain.backend().definitions()));
        McpServer.Builder b = McpServer.builder("warden-bench", "1").controls(Security.builder(rs)
                .audit(audit)
                .integrity(PinStore.memory(pins))
                .rateLimit(new RateLimitStage(List.of(RateLimitRule.toolCallsPerMinutePerPrincipal(10_000_000)),
                        List.of(), new LocalRateLimiter(100_000, InstantSource.system()),
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
