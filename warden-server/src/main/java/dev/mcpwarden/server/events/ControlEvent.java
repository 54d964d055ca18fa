package dev.mcpwarden.server.events;

import java.util.Objects;
import java.util.Set;

/**
 * What a control decided or found about one MCP request, between the request's start and its end on the event
 * stream: the policy's decision, definitions a list left out, a refusal, a guard's finding, a withheld definition.
 * Controls report it with {@link SecurityEvents#report}; every listener receives it with the request's
 * {@link dev.mcpwarden.server.dispatch.Call}, so the audit log writes it into the request's one record and metrics can
 * count it. Values are never carried: a finding says its kind and count, not what was found.
 */
public sealed interface ControlEvent {

    /** The control that reported an event, with the word the audit record uses for it. */
    enum Control {
        POLICY("policy"),
        RATE_LIMIT("rate-limit"),
        CONCURRENCY_LIMIT("concurrency-limit"),
        INPUT_GUARD("input-guard"),
        OUTPUT_GUARD("output-guard"),
        INTEGRITY("integrity"),
        /** The tasks extension: a task asked for by someone other than its owner. */
        TASKS("tasks");

        private final String word;

        Control(String word) {
            this.word = word;
        }

        /** The control's name in audit records, e.g. {@code rate-limit}. */
        public String word() {
            return word;
        }
    }

    /** The policy's decision about the request's own target: the rule that decided, and why. */
    record PolicyDecided(String rule, boolean allowed, String reason) implements ControlEvent {
        public PolicyDecided {
            Objects.requireNonNull(rule, "rule");
        }
    }

    /** A list left out {@code target} (e.g. {@code tool:delete_ticket}) because of {@code rule} (or {@code scope}). */
    record Hidden(String target, String rule) implements ControlEvent {
        public Hidden {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(rule, "rule");
        }
    }

    /** The principal lacks these scopes for the request (it is refused with {@code insufficient_scope}). */
    record ScopesMissing(Set<String> scopes) implements ControlEvent {
        public ScopesMissing {
            scopes = Set.copyOf(scopes);
        }
    }

    /** {@code control} refused the request, or answered it in the backend's place, for {@code reason}. */
    record Blocked(Control control, String reason) implements ControlEvent {
        public Blocked {
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A guard found {@code count} of {@code kind} (e.g. {@code SECRET}) and did {@code action} about it. */
    record Finding(Control control, String kind, String action, int count) implements ControlEvent {
        public Finding {
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(action, "action");
            if (count < 1) {
                throw new IllegalArgumentException("a finding counts at least one, was " + count);
            }
        }
    }

    /** The request's target (e.g. {@code tools/get_weather}) changed from its pin and is withheld. */
    record Withheld(String definition) implements ControlEvent {
        public Withheld {
            Objects.requireNonNull(definition, "definition");
        }
    }

    /** The rate limiter could not be reached; the rule is configured to let requests through (fail-open). */
    record LimiterUnavailable() implements ControlEvent {
    }

    /** Any other fact a user stage wants on the request's record ({@code key} must not clash with Warden's own). */
    record Noted(String key, String value) implements ControlEvent {
        public Noted {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }
}
