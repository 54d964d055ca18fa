package dev.mcpwarden.security.integrity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Compares the definitions a server lists with a {@link PinFile}. */
public final class PinCheck {

    /** How a definition compares with its pin. */
    public enum Status {
        /** Pinned, and the live digest equals the pin. */
        UNCHANGED,
        /** Pinned, and the live definition differs: a rug pull until someone approves it. */
        CHANGED,
        /** Listed but not pinned. */
        NEW,
        /** Pinned but no longer listed. */
        REMOVED
    }

    /**
     * One definition's comparison. {@code pinned} is null for {@link Status#NEW}; {@code live} is null for
     * {@link Status#REMOVED}.
     */
    public record Entry(DefinitionKind kind, String name, Status status, String pinned, String live) {
        public Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
        }
    }

    /** The comparison of a whole listing, in listing order, then removed pins in name order. */
    public record Report(List<Entry> entries) {
        public Report {
            entries = List.copyOf(entries);
        }

        /** Entries with the given status. */
        public List<Entry> with(Status status) {
            return entries.stream().filter(e -> e.status() == status).toList();
        }

        /** Whether every listed definition is pinned and unchanged and no pin was removed. */
        public boolean matches() {
            return entries.stream().allMatch(e -> e.status() == Status.UNCHANGED);
        }

        /** How many entries have each status. */
        public Map<Status, Integer> counts() {
            Map<Status, Integer> c = new EnumMap<>(Status.class);
            for (Status s : Status.values()) {
                c.put(s, 0);
            }
            entries.forEach(e -> c.merge(e.status(), 1, Integer::sum));
            return c;
        }
    }

    private PinCheck() {
    }

    /** Compares one definition with its pin (never {@link Status#REMOVED}). */
    public static Entry compare(PinFile pins, Definition d) {
        String pinned = pins.digest(d.kind(), d.name()).orElse(null);
        Status status = pinned == null ? Status.NEW
                : pinned.equals(d.digest()) ? Status.UNCHANGED : Status.CHANGED;
        return new Entry(d.kind(), d.name(), status, pinned, d.digest());
    }

    /** Compares a whole listing: every definition, and every pin with no listed definition as {@link Status#REMOVED}. */
    public static Report compare(PinFile pins, Collection<Definition> live) {
        List<Entry> entries = new ArrayList<>();
        Map<DefinitionKind, Map<String, Definition>> seen = new EnumMap<>(DefinitionKind.class);
        for (Definition d : live) {
            seen.computeIfAbsent(d.kind(), k -> new LinkedHashMap<>()).put(d.name(), d);
            entries.add(compare(pins, d));
        }
        for (DefinitionKind kind : DefinitionKind.values()) {
            Map<String, Definition> listed = seen.getOrDefault(kind, Map.of());
            pins.pins(kind).forEach((name, digest) -> {
                if (!listed.containsKey(name)) {
                    entries.add(new Entry(kind, name, Status.REMOVED, digest, null));
                }
            });
        }
        return new Report(entries);
    }
}
