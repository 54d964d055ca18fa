package dev.mcpwarden.security.integrity;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Something the {@link IntegrityGate} decided about a definition, for the audit log. {@code pinned} and {@code live}
 * are digests (either may be null: no pin, or no longer listed); {@code actor} is who approved, for approvals.
 */
public record IntegrityEvent(Instant time, Type type, DefinitionKind kind, String name, String pinned, String live,
                             String actor, String detail) {

    /** What happened. */
    public enum Type {
        /** A pinned definition changed (a rug pull) and is withheld until approved. */
        CHANGED_WITHHELD,
        /** A definition without a pin is withheld (the default when a pin file is configured). */
        NEW_WITHHELD,
        /** A definition without a pin is served, because unpinned definitions are allowed. */
        NEW_ALLOWED,
        /** A pinned definition is no longer listed. */
        REMOVED,
        /** Two or more definitions have names that collide; all of them are withheld. */
        NAME_COLLISION,
        /** Someone approved a definition's current digest; the pin file was updated. */
        APPROVED,
        /** Someone removed a pin. */
        PIN_REMOVED,
        /**
         * The poisoning scanner found something at or above the configured severity in a definition (a gateway's
         * upstream), which is therefore not served; {@code detail} says what.
         */
        POISONED_WITHHELD
    }

    public IntegrityEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
    }

    /** Whether the event records a definition being kept from clients. */
    public boolean withheld() {
        return type == Type.CHANGED_WITHHELD || type == Type.NEW_WITHHELD || type == Type.NAME_COLLISION
                || type == Type.POISONED_WITHHELD;
    }

    /** The event's fields as audit detail members (absent values left out). */
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", type.name());
        m.put("kind", kind.pinKey());
        m.put("name", name);
        if (pinned != null) {
            m.put("pinned", pinned);
        }
        if (live != null) {
            m.put("live", live);
        }
        if (actor != null) {
            m.put("actor", actor);
        }
        if (detail != null) {
            m.put("detail", detail);
        }
        return m;
    }
}
