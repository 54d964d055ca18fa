package dev.mcpwarden.gateway;

import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The definitions of one upstream the poisoning scanner keeps from clients, told to the audit log once per change:
 * a definition withheld again in the next list with the same digest is not told again; one that is served in
 * between, or changes, is. Events before a listener is there (the lists read while connecting) wait for it,
 * bounded.
 */
final class WithheldDefinitions {

    /** Events kept for a listener that is not there yet; more are dropped (the log says so once). */
    static final int MAX_WAITING = 1000;

    private final String upstream;
    private final Map<String, String> told = new HashMap<>();
    private final List<IntegrityEvent> waiting = new ArrayList<>();
    private Consumer<IntegrityEvent> listener;
    private boolean dropped;

    WithheldDefinitions(String upstream) {
        this.upstream = upstream;
    }

    /** The scanner withholds {@code name}, whose definition has {@code digest}; {@code why} names its findings. */
    synchronized void withheld(DefinitionKind kind, String name, String digest, String why) {
        String key = kind.pinKey() + "/" + name;
        if (digest.equals(told.put(key, digest))) {
            return;
        }
        IntegrityEvent e = new IntegrityEvent(Instant.now(), IntegrityEvent.Type.POISONED_WITHHELD, kind, name, null,
                digest, null, "upstream " + upstream + ": " + why);
        if (listener != null) {
            listener.accept(e);
        } else if (waiting.size() < MAX_WAITING) {
            waiting.add(e);
        } else if (!dropped) {
            dropped = true;
            org.slf4j.LoggerFactory.getLogger(WithheldDefinitions.class).warn("upstream {}: more than {} withheld "
                    + "definitions before the audit log was attached; the rest are only logged", upstream, MAX_WAITING);
        }
    }

    /** {@code name} is served now: if it is withheld again later, that is told again. */
    synchronized void served(DefinitionKind kind, String name) {
        told.remove(kind.pinKey() + "/" + name);
    }

    synchronized void listen(Consumer<IntegrityEvent> l) {
        listener = l;
        waiting.forEach(l);
        waiting.clear();
    }
}
