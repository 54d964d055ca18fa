package dev.mcpwarden.security.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.auth.Authenticator.RequestHead;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Challenge;
import dev.mcpwarden.server.pipeline.CorrelationIds;
import dev.mcpwarden.server.pipeline.Rejection;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The audit log as a listener of the event stream: exactly one record per MCP request when it ends, with its
 * principal, target, argument digest, outcome and latency and whatever the controls noted on the call
 * ({@link ControlEvent}s, gathered in {@link AuditNotes}); refusals before a call; 2025 sessions; every authentication refusal and each credential's
 * first acceptance per quiet period. The record's type names what decided the outcome: {@code RATE_LIMIT},
 * {@code POLICY_DECISION}, {@code GUARD_FINDING} or {@code AUTHENTICATION} when a control refused or changed the
 * call, else {@code TOOL_CALL} for tools and {@code REQUEST} for everything else.
 */
final class AuditRecorder implements SecurityEventListener {

    /** The notes of a started call, private to this recorder. */
    private static final Call.Attribute<AuditNotes> NOTES = new Call.Attribute<>("audit-notes", AuditNotes.class);

    private final AuditTrail trail;
    private final InstantSource clock;
    private final Cache<String, Boolean> seen;
    private final Cache<Principal, Boolean> recent;

    AuditRecorder(AuditTrail trail, InstantSource clock, Duration quietPeriod) {
        this.trail = trail;
        this.clock = clock;
        this.seen = Caffeine.newBuilder()
                .executor(Runnable::run) // upkeep on the caller's thread, not a common-pool hand-off per request
                .maximumSize(100_000).expireAfterWrite(quietPeriod).build();
        this.recent = Caffeine.newBuilder().weakKeys() // by identity; gone with the verifier's cache entry
                .executor(Runnable::run)
                .maximumSize(100_000).expireAfterWrite(quietPeriod).build();
    }

    /** Records are queued for the writer thread; only a full queue makes a caller wait, briefly. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    // ---- MCP requests

    @Override
    public void requestStarted(Call call) {
        call.attribute(NOTES, new AuditNotes());
    }

    @Override
    public void controlled(Call call, ControlEvent event) {
        AuditNotes notes = call.attribute(NOTES);
        if (notes != null) {
            notes.add(event);
        }
    }

    @Override
    public void requestEnded(Call call, Ending ending, long elapsedNanos) {
        AuditNotes notes = call.attribute(NOTES);
        if (notes == null) {
            notes = new AuditNotes(); // ended without a start on this recorder: still exactly one record
        }
        switch (ending) {
            case Ending.Answered a -> record(call, notes, elapsedNanos, succeeded(call, a.result(), notes), 0, 0,
                    null);
            case Ending.Refused r -> record(call, notes, elapsedNanos, refused(r.rejection()),
                    r.rejection().status(), r.rejection().code(), r.rejection().reason());
            case Ending.Failed f -> record(call, notes, elapsedNanos, failed(f.error(), notes), f.error().httpStatus(),
                    f.error().code(), null);
            case Ending.Crashed c -> record(call, notes, elapsedNanos, new Outcome(null, "error"), 500,
                    ErrorCodes.INTERNAL_ERROR, c.error().getClass().getSimpleName());
        }
    }

    private record Outcome(AuditEventType type, String word) {
    }

    /** The kind of refusal decides the record: each kind says its own outcome word. */
    private static Outcome refused(Rejection r) {
        return switch (r) {
            case Rejection.RateLimited limited -> new Outcome(AuditEventType.RATE_LIMIT, limited.outcome());
            case Rejection.InsufficientScope scope -> new Outcome(AuditEventType.POLICY_DECISION, scope.outcome());
            case Rejection.Unauthorized unauthorized -> new Outcome(AuditEventType.AUTHENTICATION,
                    unauthorized.outcome());
            default -> new Outcome(null, r.outcome());
        };
    }

    private static Outcome failed(McpError e, AuditNotes notes) {
        if (notes.policyDenied()) {
            return new Outcome(AuditEventType.POLICY_DECISION, "denied");
        }
        if (notes.blockedType() != null) {
            return new Outcome(null, "blocked");
        }
        return new Outcome(null, e.code() == ErrorCodes.INVALID_PARAMS ? "invalid_params" : "error");
    }

    private static Outcome succeeded(Call call, JsonNode result, AuditNotes notes) {
        if (notes.blockedType() != null) {
            return new Outcome(null, "blocked");
        }
        if (result != null && "input_required".equals(result.path("resultType").asString(""))) {
            return new Outcome(null, "input_required");
        }
        if (result != null && "task".equals(result.path("resultType").asString(""))) {
            return new Outcome(null, "task_created"); // how the task ended is the call's second record
        }
        boolean toolError = result != null && result.path("isError").asBoolean(false);
        if (notes.hasFindings()) {
            return new Outcome(AuditEventType.GUARD_FINDING, toolError ? "tool_error" : "guarded");
        }
        if (notes.hidSomething()) {
            return new Outcome(AuditEventType.POLICY_DECISION, "filtered");
        }
        return new Outcome(null, toolError ? "tool_error" : "ok");
    }

    private void record(Call call, AuditNotes notes, long elapsedNanos, Outcome outcome, int status, int code,
                        String reason) {
        String schema = call.attribute(Call.SCHEMA_VIOLATION);
        if (schema != null) {
            notes.blocked(AuditEventType.GUARD_FINDING, "schema", schema);
            if ("tool_error".equals(outcome.word())) {
                outcome = new Outcome(null, "blocked");
            }
        }
        AuditEventType type = notes.blockedType() != null ? notes.blockedType()
                : outcome.type() != null ? outcome.type()
                : "tools/call".equals(call.method()) ? AuditEventType.TOOL_CALL : AuditEventType.REQUEST;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("method", Audit.safe(call.method(), 128));
        if (call.target() != null && call.target().kind() == dev.mcpwarden.server.pipeline.Target.Kind.TOOL
                && call.params().get("arguments") instanceof JsonNode args && args.isObject()) {
            detail.put("arguments", AuditEvent.argumentDigest(args));
        }
        if (status != 0) {
            detail.put("status", status);
        }
        if (code != 0) {
            detail.put("code", code);
        }
        if (reason != null) {
            detail.put("reason", Audit.safe(reason, 256));
        }
        if (call.remoteAddress() != null) {
            detail.put("remote_address", call.remoteAddress());
        }
        detail.put("protocol_version", call.version().id());
        String upstream = call.attribute(Call.UPSTREAM);
        if (upstream != null) {
            detail.put("upstream", upstream);
        }
        String cache = call.attribute(Call.CACHE);
        if (cache != null) {
            detail.put("cache", cache);
        }
        notes.into(detail);
        trail.record(AuditEvent.builder(type, clock.instant(), call.correlationId())
                .principal(AuditPrincipal.of(call.principal()))
                .target(Audit.safe(target(call), AuditEvent.MAX_TARGET_LENGTH))
                .outcome(outcome.word())
                .latency(Duration.ofNanos(elapsedNanos))
                .detail(detail)
                .build());
    }

    private static String target(Call call) {
        return call.target() == null || "completion/complete".equals(call.method()) ? call.method()
                : call.target().name();
    }


    // ---- HTTP requests that never became a call, and sessions

    @Override
    public void refused(HttpExchange ex, Rejection r) {
        httpRefused(ex, r, ex.header(SESSION_HEADER));
    }

    @Override
    public void failed(HttpExchange ex, RuntimeException error) {
        recordHttp(ex, AuditEventType.REQUEST, "error", Map.of("status", 500,
                "reason", error.getClass().getSimpleName()));
    }

    @Override
    public void sessionStarted(HttpExchange ex, String sessionId) {
        recordHttp(ex, AuditEventType.SESSION, "created", Map.of("session", Audit.fingerprint(sessionId)));
    }

    @Override
    public void sessionEnded(HttpExchange ex, String sessionId) {
        recordHttp(ex, AuditEventType.SESSION, "ended", Map.of("session", Audit.fingerprint(sessionId)));
    }

    private static final String SESSION_HEADER = "Mcp-Session-Id";

    private void httpRefused(HttpExchange ex, Rejection r, String presentedSession) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("status", r.status());
        detail.put("code", r.code());
        detail.put("reason", Audit.safe(r.reason() != null ? r.reason() : r.getMessage(), 256));
        boolean session = r.reason() != null && r.reason().startsWith("session_");
        if (session && presentedSession != null) {
            detail.put("session", Audit.fingerprint(presentedSession));
        }
        recordHttp(ex, session ? AuditEventType.SESSION : AuditEventType.REQUEST, session ? "refused" : "rejected",
                detail);
    }

    private void recordHttp(HttpExchange ex, AuditEventType type, String outcome, Map<String, Object> extra) {
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


    // ---- authentication

    @Override
    public void authenticationRefused(RequestHead request, Rejection r) {
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
        recordAuthentication(request, AuditPrincipal.NONE, r.outcome(), detail);
    }

    /** Each credential's first acceptance, then again at most once per quiet period: who started using which token. */
    @Override
    public void authenticated(RequestHead request, Principal p) {
        String credential = request.header("Authorization");
        if (credential == null) {
            return;
        }
        // A token verified from the cache comes back as the same principal: seen by identity, it needs no digest.
        if (recent.getIfPresent(p) != null) {
            return;
        }
        recent.put(p, Boolean.TRUE);
        String fingerprint = Audit.fingerprint(credential);
        if (seen.asMap().putIfAbsent(fingerprint, Boolean.TRUE) == null) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("credential", fingerprint);
            detail.put("scopes", String.join(" ", new TreeSet<>(p.scopes())));
            recordAuthentication(request, AuditPrincipal.of(p), "accepted", detail);
        }
    }

    private void recordAuthentication(RequestHead request, AuditPrincipal principal, String outcome, Map<String, Object> detail) {
        if (request.remoteAddress() != null) {
            detail.put("remote_address", request.remoteAddress());
        }
        String id = request.correlationId() != null ? request.correlationId() : CorrelationIds.next();
        trail.record(AuditEvent.builder(AuditEventType.AUTHENTICATION, clock.instant(), id)
                .principal(principal).target("authentication").outcome(outcome).detail(detail).build());
    }
}
