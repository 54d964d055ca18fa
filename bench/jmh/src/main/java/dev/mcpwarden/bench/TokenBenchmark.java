package dev.mcpwarden.bench;

import dev.mcpwarden.security.ResourceServer;
import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.oauth.CachingVerifier;
import dev.mcpwarden.security.oauth.JwtVerifier;
import dev.mcpwarden.security.oauth.TokenRejected;
import dev.mcpwarden.security.oauth.TokenVerifier;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Access-token verification as the resource server does it: an ES256 JWT through {@link CachingVerifier} over
 * {@link JwtVerifier}, on a cache hit (the steady state: one token, many requests) and on a miss (a token the cache
 * has not seen: signature, claims, then caching); and the whole authenticator of a resource server with an audit
 * trail (header parsing, the token's first-seen check, verification).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TokenBenchmark {

    /** Distinct tokens cycled through by the miss benchmark; far more than the miss cache holds. */
    private static final int MISS_TOKENS = 4096;

    private TokenVerifier cached;
    private TokenVerifier missing;
    private JwtVerifier jwt;
    private Authenticator authenticator;
    private Authenticator.RequestHead head;
    private String token;
    private String[] tokens;
    private int next;

    @Setup
    public void setUp() {
        SecurityFixtures fx = new SecurityFixtures();
        jwt = new JwtVerifier(fx.config, InstantSource.system());
        cached = new CachingVerifier(jwt, 10_000, InstantSource.system());
        missing = new CachingVerifier(jwt, 16, InstantSource.system());
        token = fx.token();
        tokens = new String[MISS_TOKENS];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = fx.token();
        }
        authenticator = ResourceServer.builder(fx.config).build().authenticator();
        head = SecurityFixtures.head(token, "bench-correlation-id");
    }

    /** The steady state: a token seen before. */
    @Benchmark
    public Principal verifyCacheHit() throws TokenRejected {
        return cached.verify(token).principal();
    }

    /** A token the cache does not hold: ES256 signature and claims checks, then caching. */
    @Benchmark
    public Principal verifyCacheMiss() throws TokenRejected {
        String t = tokens[next++ & (MISS_TOKENS - 1)];
        return missing.verify(t).principal();
    }

    /** JwtVerifier alone (no cache), for reference. */
    @Benchmark
    public Principal verifyUncached() throws TokenRejected {
        return jwt.verify(token).principal();
    }

    /** The resource server's authenticator (audited) on a cached token: what every HTTP request pays. */
    @Benchmark
    public Principal authenticateCacheHit() {
        return authenticator.authenticate(head);
    }
}
