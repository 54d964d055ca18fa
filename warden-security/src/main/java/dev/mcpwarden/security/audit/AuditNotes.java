package dev.mcpwarden.security.audit;

import dev.mcpwarden.server.dispatch.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the controls of the pipeline found out about one call, gathered so that the call leaves exactly one audit
 * event saying everything: the policy rule that allowed or denied it, the control that blocked it, guard findings.
 * The {@link AuditStage} attaches a fresh instance to every call; other stages add to it with
 * {@code AuditNotes.of(call)}, which is a no-op sink when no audit stage runs.
 */
public final class AuditNotes {

    /** The call attribute holding the notes. */
    public static final Call.Attribute<AuditNotes> KEY = new Call.Attribute<>("audit-notes", AuditNotes.class);

    private static final AuditNotes DISCARD = new AuditNotes(false);

    /** One finding of a guard: kind such as {@code SECRET} or {@code PATH_TRAVERSAL}, and what was done. */
    public record Finding(String control, String kind, String action, int count) {
    }

    private final boolean keep;
    private String policyRule;
    private String policyEffect;
    private String policyReason;
    private AuditEventType blockedType;
    private String blockedBy;
    private String blockedReason;
    private final List<Finding> findings = new ArrayList<>(0);
    private final Map<String, String> hidden = new LinkedHashMap<>(0);
    private final Map<String, Object> extra = new LinkedHashMap<>(0);

    private AuditNotes(boolean keep) {
        this.keep = keep;
    }

    static AuditNotes fresh() {
        return new AuditNotes(true);
    }

    /** The notes of {@code call}, or a sink that keeps nothing when no audit stage runs. */
    public static AuditNotes of(Call call) {
        AuditNotes n = call.attribute(KEY);
        return n == null ? DISCARD : n;
    }

    /** The policy decision about the call's target (the last one wins: the call's own, after any list checks). */
    public synchronized void policy(String rule, boolean allowed, String reason) {
        if (keep) {
            policyRule = rule;
            policyEffect = allowed ? "allow" : "deny";
            policyReason = reason;
        }
    }

    /** The control that refused the call; the event gets {@code type}. The first block wins. */
    public synchronized void blocked(AuditEventType type, String control, String reason) {
        if (keep && blockedType == null) {
            blockedType = type;
            blockedBy = control;
            blockedReason = Audit.safe(reason, 256);
        }
    }

    /** A guard finding (never the value found: only its kind and count). */
    public synchronized void finding(String control, String kind, String action, int count) {
        if (keep) {
            findings.add(new Finding(control, kind, action, count));
        }
    }

    /** A list left out {@code target} (e.g. {@code tool:delete_ticket}) because of {@code rule}. */
    public synchronized void hidden(String target, String rule) {
        if (keep) {
            hidden.put(Audit.safe(target, 256), rule);
        }
    }

    /** Any other fact worth recording (JSON-safe values only). */
    public synchronized void note(String key, Object value) {
        if (keep) {
            extra.put(key, value);
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
        detail.putAll(extra);
    }
}
