package dev.mcpwarden.security.audit;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The outermost MCP-level stage: every request (but pings and discovery) leaves exactly one audit event when it
 * ends, with its principal, target, argument digest, outcome and latency, and whatever the controls inside noted
 * ({@link AuditNotes}). The event's type names what decided the outcome: {@code RATE_LIMIT}, {@code POLICY_DECISION}
 * or {@code GUARD_FINDING} when a control refused or changed the call, else {@code TOOL_CALL} for tools and
 * {@code REQUEST} for everything else.
 */
final class AuditStage implements Stage<Call, JsonNode> {

    /** Records are queued for the writer thread; only a full queue makes a caller wait, briefly. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private static final Set<String> UNRECORDED = Set.of("ping", "server/discover");

    private final AuditTrail trail;
    private final InstantSource clock;

    AuditStage(AuditTrail trail, InstantSource clock) {
        this.trail = trail;
        this.clock = clock;
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        if (UNRECORDED.contains(call.method())) {
            return chain.proceed(call);
        }
        AuditNotes notes = AuditNotes.fresh();
        call.attribute(AuditNotes.KEY, notes);
        long start = System.nanoTime();
        JsonNode result;
        try {
            result = chain.proceed(call);
        } catch (Rejection r) {
            record(call, notes, start, refused(r), r.status(), r.code(), r.reason());
            throw r;
        } catch (McpError e) {
            record(call, notes, start, failed(e, notes), e.httpStatus(), e.code(), null);
            throw e;
        } catch (RuntimeException e) {
            record(call, notes, start, new Outcome(null, "error"), 500, ErrorCodes.INTERNAL_ERROR,
                    e.getClass().getSimpleName());
            throw e;
        }
        record(call, notes, start, succeeded(call, result, notes), 0, 0, null);
        return result;
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
        boolean toolError = result != null && result.path("isError").asBoolean(false);
        if (notes.hasFindings()) {
            return new Outcome(AuditEventType.GUARD_FINDING, toolError ? "tool_error" : "guarded");
        }
        if (notes.hidSomething()) {
            return new Outcome(AuditEventType.POLICY_DECISION, "filtered");
        }
        return new Outcome(null, toolError ? "tool_error" : "ok");
    }

    private void record(Call call, AuditNotes notes, long start, Outcome outcome, int status, int code,
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
        notes.into(detail);
        trail.record(AuditEvent.builder(type, clock.instant(), call.correlationId())
                .principal(AuditPrincipal.of(call.principal()))
                .target(Audit.safe(target(call), AuditEvent.MAX_TARGET_LENGTH))
                .outcome(outcome.word())
                .latency(Duration.ofNanos(System.nanoTime() - start))
                .detail(detail)
                .build());
    }

    private static String target(Call call) {
        return call.target() == null || "completion/complete".equals(call.method()) ? call.method()
                : call.target().name();
    }

    @Override
    public String name() {
        return "audit";
    }
}
