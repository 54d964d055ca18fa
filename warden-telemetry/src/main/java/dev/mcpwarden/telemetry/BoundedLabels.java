package dev.mcpwarden.telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values one metric label may take: the first {@code max} distinct ones seen, then {@link #OTHER}. Label values
 * here come from definitions and configuration (tool names, rule names, guard kinds), but a gateway's upstream or a
 * misconfiguration could still mint them without end; each distinct value is a time series in Prometheus, so the
 * number is capped whatever the source.
 */
final class BoundedLabels {

    /** The value of every label beyond the cap, and of values that are never labels (semantic conventions' word). */
    static final String OTHER = "_OTHER";
    /** Longer values are never a label: a name that long is not one an operator chose. */
    static final int MAX_LENGTH = 128;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final int max;

    BoundedLabels(int max) {
        this.max = max;
    }

    String of(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return OTHER;
        }
        if (seen.contains(value)) {
            return value;
        }
        if (seen.size() >= max) {
            return OTHER;
        }
        seen.add(value);
        return value;
    }
}
