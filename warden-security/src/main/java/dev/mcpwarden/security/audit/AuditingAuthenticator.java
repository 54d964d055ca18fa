package dev.mcpwarden.security.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.pipeline.Challenge;
import dev.mcpwarden.server.pipeline.CorrelationIds;
import dev.mcpwarden.server.pipeline.Rejection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Records authentication results: every refusal, with the OAuth error it carried, and each credential's first
 * acceptance (then again at most every {@code quietPeriod}), so the log shows who started using which token without
 * an event per request (the per-request events carry the principal anyway).
 */
final class AuditingAuthenticator implements Authenticator {

    /** The internal reason put on refusals this authenticator recorded, so no other stage records them again. */
    static final String REASON = "authentication";

    private final Authenticator delegate;
    private final AuditTrail trail;
    private final InstantSource clock;
    private final Cache<String, Boolean> seen;

    AuditingAuthenticator(Authenticator delegate, AuditTrail trail, InstantSource clock, Duration quietPeriod) {
        this.delegate = delegate;
        this.trail = trail;
        this.clock = clock;
        this.seen = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumSize(100_000).expireAfterWrite(quietPeriod).build();
    }

    /** Recording queues for the writer thread; whether the check may block is the delegate's answer. */
    @Override
    public boolean mayBlock(RequestHead request) {
        return delegate.mayBlock(request);
    }

    @Override
    public Principal authenticate(RequestHead request) {
        Principal p;
        try {
            p = delegate.authenticate(request);
        } catch (Rejection r) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("status", r.status());
            Challenge challenge = r instanceof Rejection.Unauthorized u ? u.challenge() : null;
            if (challenge != null && challenge.error() != null) {
                detail.put("error", Audit.safe(challenge.error(), 256));
                if (challenge.description() != null) {
                    detail.put("error_description", Audit.safe(challenge.description(), 256));
                }
            } else {
                detail.put("reason", Audit.safe(r.getMessage(), 256));
            }
            // The kind says the outcome: the OAuth error of a 401 (invalid_token), unauthorized, unavailable.
            record(request, AuditPrincipal.NONE, r.outcome(), detail);
            throw r.because(REASON);
        }
        String credential = request.header("Authorization");
        if (credential != null) {
            String fingerprint = Audit.fingerprint(credential);
            if (seen.asMap().putIfAbsent(fingerprint, Boolean.TRUE) == null) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("credential", fingerprint);
                detail.put("scopes", String.join(" ", new TreeSet<>(p.scopes())));
                record(request, AuditPrincipal.of(p), "accepted", detail);
            }
        }
        return p;
    }

    private void record(RequestHead request, AuditPrincipal principal, String outcome, Map<String, Object> detail) {
        if (request.remoteAddress() != null) {
            detail.put("remote_address", request.remoteAddress());
        }
        String id = request.correlationId() != null ? request.correlationId() : CorrelationIds.next();
        trail.record(AuditEvent.builder(AuditEventType.AUTHENTICATION, clock.instant(), id)
                .principal(principal).target("authentication").outcome(outcome).detail(detail).build());
    }
}
