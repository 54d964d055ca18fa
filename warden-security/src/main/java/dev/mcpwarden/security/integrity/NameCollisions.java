package dev.mcpwarden.security.integrity;

import dev.mcpwarden.security.text.Fold;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Names within one kind that a model or a person could mistake for each other: exact duplicates (two upstreams
 * offering the same tool), names equal but for case, and confusable names, equal once reduced to a
 * {@link #skeleton(String) skeleton}. Colliding definitions are refused: a gateway withholds all of them, and a
 * server refuses to start with them ({@link #requireNone}).
 */
public final class NameCollisions {

    /** Names collide whatever their case; separators and digits are mapped after folding, in {@link #skeleton}. */
    private static final Fold SKELETON = Fold.of(Fold.Option.LOWER_CASE);

    /** Why names collide, weakest match last. */
    public enum Reason {
        /** The same name twice. */
        EXACT,
        /** Names equal ignoring case. */
        CASE,
        /** Names equal once look-alike characters, separators and invisible characters are folded. */
        CONFUSABLE
    }

    /** A group of colliding names of one kind, in listing order. */
    public record Collision(DefinitionKind kind, Reason reason, List<String> names, String skeleton) {
        public Collision {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
            names = List.copyOf(names);
        }

        @Override
        public String toString() {
            return kind.pinKey() + " " + names.stream().map(PinFile::quote).collect(Collectors.joining(", "))
                    + " collide (" + reason.name().toLowerCase(Locale.ROOT) + ")";
        }
    }

    private NameCollisions() {
    }

    /** The collisions among a listing's definitions, per kind. */
    public static List<Collision> find(Collection<Definition> definitions) {
        Map<DefinitionKind, List<String>> byKind = new LinkedHashMap<>();
        for (Definition d : definitions) {
            byKind.computeIfAbsent(d.kind(), k -> new ArrayList<>()).add(d.name());
        }
        List<Collision> all = new ArrayList<>();
        byKind.forEach((kind, names) -> all.addAll(find(kind, names)));
        return List.copyOf(all);
    }

    /** The collisions among names of one kind. */
    public static List<Collision> find(DefinitionKind kind, Collection<String> names) {
        List<Collision> out = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        names.forEach(n -> counts.merge(n, 1, Integer::sum));
        counts.forEach((name, count) -> {
            if (count > 1) {
                out.add(new Collision(kind, Reason.EXACT, List.of(name, name), skeleton(name)));
            }
        });
        Map<String, Set<String>> bySkeleton = new LinkedHashMap<>();
        for (String name : counts.keySet()) {
            bySkeleton.computeIfAbsent(skeleton(name), s -> new LinkedHashSet<>()).add(name);
        }
        bySkeleton.forEach((skeleton, group) -> {
            if (group.size() > 1) {
                long lowerForms = group.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().count();
                out.add(new Collision(kind, lowerForms == 1 ? Reason.CASE : Reason.CONFUSABLE,
                        List.copyOf(group), skeleton));
            }
        });
        return List.copyOf(out);
    }

    /** Throws when a listing has colliding names, naming every collision. */
    public static void requireNone(Collection<Definition> definitions) {
        List<Collision> found = find(definitions);
        if (!found.isEmpty()) {
            throw new IllegalArgumentException("name collisions refused: "
                    + found.stream().map(Collision::toString).collect(Collectors.joining("; ")));
        }
    }

    /**
     * The skeleton of a name: the shared {@link Fold} in lower case (invisible characters dropped, compatibility
     * forms and accents folded, Cyrillic and Greek look-alikes mapped to the Latin letters they imitate), then
     * {@code 1 l i | !} to {@code l}, {@code 0} to {@code o}, {@code rn} to {@code m}, {@code vv} to {@code w}, and
     * the separators {@code - . space} to {@code _}.
     */
    public static String skeleton(String name) {
        String folded = SKELETON.text(name);
        StringBuilder sb = new StringBuilder(folded.length());
        folded.codePoints().forEach(cp -> {
            switch (cp) {
                case '1', 'i', '|', '!' -> sb.append('l');
                case '0' -> sb.append('o');
                case '-', '.', ' ', '_' -> sb.append('_');
                default -> sb.appendCodePoint(cp);
            }
        });
        return sb.toString().replace("rn", "m").replace("vv", "w");
    }
}
