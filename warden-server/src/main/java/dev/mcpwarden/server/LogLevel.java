package dev.mcpwarden.server;

import java.util.Optional;

/** RFC 5424 severities used by MCP logging, least severe first. */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<LogLevel> parse(String wire) {
        for (LogLevel l : values()) {
            if (l.wire().equals(wire)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }
}
