package dev.mcpwarden.security.audit;

import dev.mcpwarden.server.events.ControlEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the controls reported about one call on the event stream ({@link ControlEvent}), gathered by the
 * {@link AuditRecorder} so that the call leaves exactly one audit event saying everything: the policy rule that
 * allowed or denied it, the control that blocked it, guard findings, hidden and withheld definitions.
 */
final class AuditNotes {

    /** One finding of a guard: kind such as {@code SECRET} or {@code PATH_TRAVERSAL}, and what was done. */
    private record Finding(String control, String kind, String action, int count) {
    }

    private String policyRule;
    private String policyEffect;
    private String policyReason;
    private AuditEventType blockedType;
    private String blockedBy;
    private String blockedReason;
    private final List<Finding> findings = new ArrayList<>(0);
    private final Map<String, String> hidden = new LinkedHashMap<>(0);
    private final Map<String, Object> extra = new LinkedHashMap<>(0);

    /** Takes in one event; output guards may report from the thread streaming a message, hence the lock. */
    synchronized void add(ControlEvent event) {
        switch (event) {
            // The last decision wins: the call's own, after any checks made while listing.
            case ControlEvent.PolicyDecided p -> {
                policyRule = p.rule();
                policyEffect = p.allowed() ? "allow" : "deny";
                policyReason = p.reason();
            }
            case ControlEvent.Hidden h -> hidden.put(Audit.safe(h.target(), 256), h.rule());
            case ControlEvent.ScopesMissing m -> extra.put("required_scopes",
                    String.join(" ", new TreeSet<>(m.scopes())));
            case ControlEvent.Blocked b -> blocked(typeOf(b.control()), b.control().word(), b.reason());
            case ControlEvent.Finding f -> findings.add(new Finding(f.control().word(), f.kind(), f.action(),
                    f.count()));
            case ControlEvent.Withheld w -> extra.put("integrity", "withheld: " + Audit.safe(w.definition(), 256));
            case ControlEvent.LimiterUnavailable u -> extra.put("rate_limiter", "unavailable: let through (fail-open)");
            case ControlEvent.Noted n -> extra.putIfAbsent(Audit.safe(n.key(), 64), Audit.safe(n.value(), 256));
        }
    }

    private static AuditEventType typeOf(ControlEvent.Control control) {
        return switch (control) {
            case RATE_LIMIT, CONCURRENCY_LIMIT -> AuditEventType.RATE_LIMIT;
            case POLICY, TASKS -> AuditEventType.POLICY_DECISION;
            case INPUT_GUARD, OUTPUT_GUARD, INTEGRITY -> AuditEventType.GUARD_FINDING;
        };
    }

    /** The control that refused the call; the event gets {@code type}. The first block wins. */
    synchronized void blocked(AuditEventType type, String control, String reason) {
        if (blockedType == null) {
            blockedType = type;
            blockedBy = control;
            blockedReason = Audit.safe(reason, 256);
        }
    }

    synchronized AuditEventType blockedType() {
        return blockedType;
    }

    synchronized boolean hasFindings() {
        return !findings.isEmpty();
    }

    synchronized boolean hidSomething() {
        return !hidden.isEmpty();
    }

    synchronized boolean policyDenied() {
        return "deny".equals(policyEffect);
    }

    /** Adds everything noted to an event's detail. */
    synchronized void into(Map<String, Object> detail) {
        if (policyRule != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("rule", policyRule);
            p.put("effect", policyEffect);
            if (policyReason != null) {
                p.put("reason", policyReason);
            }
            detail.put("policy", p);
        }
        if (blockedBy != null) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("control", blockedBy);
            if (blockedReason != null) {
                b.put("reason", blockedReason);
            }
            detail.put("blocked", b);
        }
        if (!hidden.isEmpty()) {
            detail.put("hidden", new LinkedHashMap<String, Object>(hidden));
        }
        if (!findings.isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (Finding f : findings) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("control", f.control());
                m.put("kind", f.kind());
                m.put("action", f.action());
                m.put("count", f.count());
                list.add(m);
            }
            detail.put("findings", list);
        }
        extra.forEach(detail::putIfAbsent); // a user stage's note never overwrites what Warden records
    }
}
