package dev.mcpwarden.security.policy;

import java.util.Objects;

/**
 * The outcome of a policy decision: whether the request is allowed, the rule that decided it and why. Meant for the
 * audit log; the {@link #reason} may name a rule and quote an evaluation error, so it must never be sent to the
 * client (a denied target is answered exactly like a missing one).
 *
 * @param allowed whether the request may proceed
 * @param ruleId  the id of the deciding rule, or {@value #DEFAULT_DENY} when no rule matched
 * @param effect  {@link Effect#ALLOW} exactly when {@code allowed}
 * @param reason  a short explanation for the audit log
 */
public record Decision(boolean allowed, String ruleId, Effect effect, String reason) {

    /** The id of the implicit last rule that denies whatever no rule allowed. */
    public static final String DEFAULT_DENY = "default-deny";

    public Decision {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(reason, "reason");
        if (allowed != (effect == Effect.ALLOW)) {
            throw new IllegalArgumentException("allowed and effect disagree");
        }
    }

    static Decision allow(String ruleId, String reason) {
        return new Decision(true, ruleId, Effect.ALLOW, reason);
    }

    static Decision deny(String ruleId, String reason) {
        return new Decision(false, ruleId, Effect.DENY, reason);
    }
}
