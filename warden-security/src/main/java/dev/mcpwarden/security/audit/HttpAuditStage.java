package dev.mcpwarden.security.audit;

import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outermost HTTP-level stage: records what the MCP-level audit stage never sees. Refusals before a call starts
 * (Host/Origin, media types, body limits, unknown or foreign sessions, malformed JSON) become {@code REQUEST} or
 * {@code SESSION} events; created and deleted 2025 sessions become {@code SESSION} events. Authentication results
 * are recorded by the auditing authenticator, so refusals it already recorded are not recorded twice.
 */
final class HttpAuditStage implements Stage<HttpExchange, Void> {

    /** Records are queued for the writer thread; only a full queue makes a caller wait, briefly. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private static final String SESSION_HEADER = "Mcp-Session-Id";

    private final AuditTrail trail;
    private final InstantSource clock;

    HttpAuditStage(AuditTrail trail, InstantSource clock) {
        this.trail = trail;
        this.clock = clock;
    }

    @Override
    public Void apply(HttpExchange ex, Chain<HttpExchange, Void> chain) {
        String presentedSession = ex.header(SESSION_HEADER);
        try {
            chain.proceed(ex);
        } catch (Rejection r) {
            if (!ex.callStarted() && !AuditingAuthenticator.REASON.equals(r.reason())) {
                refused(ex, r, presentedSession);
            }
            throw r;
        } catch (RuntimeException e) {
            if (!ex.callStarted()) {
                record(ex, AuditEventType.REQUEST, "error", Map.of("status", 500,
                        "reason", e.getClass().getSimpleName()));
            }
            throw e;
        }
        if ("POST".equals(ex.method()) && presentedSession == null && ex.responseHeader(SESSION_HEADER) != null) {
            record(ex, AuditEventType.SESSION, "created",
                    Map.of("session", Audit.fingerprint(ex.responseHeader(SESSION_HEADER))));
        } else if ("DELETE".equals(ex.method()) && presentedSession != null) {
            record(ex, AuditEventType.SESSION, "ended", Map.of("session", Audit.fingerprint(presentedSession)));
        }
        return null;
    }

    private void refused(HttpExchange ex, Rejection r, String presentedSession) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("status", r.status());
        detail.put("code", r.code());
        detail.put("reason", Audit.safe(r.reason() != null ? r.reason() : r.getMessage(), 256));
        boolean session = r.reason() != null && r.reason().startsWith("session_");
        if (session && presentedSession != null) {
            detail.put("session", Audit.fingerprint(presentedSession));
        }
        record(ex, session ? AuditEventType.SESSION : AuditEventType.REQUEST, session ? "refused" : "rejected",
                detail);
    }

    private void record(HttpExchange ex, AuditEventType type, String outcome, Map<String, Object> extra) {
        Map<String, Object> detail = new LinkedHashMap<>(extra);
        detail.put("remote_address", ex.remoteAddress());
        detail.put("http_method", ex.method());
        trail.record(AuditEvent.builder(type, clock.instant(), ex.correlationId())
                .principal(ex.principal() == dev.mcpwarden.server.auth.Principal.ANONYMOUS ? AuditPrincipal.NONE
                        : AuditPrincipal.of(ex.principal()))
                .target(Audit.safe(pathOf(ex.url()), AuditEvent.MAX_TARGET_LENGTH))
                .outcome(outcome)
                .detail(detail)
                .build());
    }

    /** The path of the URL only: a query string might carry a credential someone put there by mistake. */
    private static String pathOf(String url) {
        try {
            String p = java.net.URI.create(url).getRawPath();
            return p == null || p.isEmpty() ? "/" : p;
        } catch (IllegalArgumentException e) {
            return "[unparseable URL]";
        }
    }

    @Override
    public String name() {
        return "http-audit";
    }
}
