package dev.mcpwarden.server.task;

import java.util.Locale;

/** Where a task is in its life; the last three are terminal and never change again. */
public enum TaskStatus {
    WORKING, INPUT_REQUIRED, COMPLETED, FAILED, CANCELLED;

    /** The wire word, e.g. {@code input_required}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The status a wire word names. */
    public static TaskStatus ofWire(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
