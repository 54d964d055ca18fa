package dev.mcpwarden.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Who the server says it is ({@code serverInfo} and {@code instructions} of the MCP handshake).
 *
 * @param name         the server's name, e.g. {@code acme-helpdesk}
 * @param version      its version, e.g. {@code 1.4.0}
 * @param title        a human-readable name for clients to display, if any
 * @param instructions how to use this server, sent to clients, if any
 */
public record ServerConfig(String name, String version, Optional<String> title, Optional<String> instructions) {

    public ServerConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank, was '" + version + "'");
        }
        Objects.requireNonNull(title, "title (use Optional.empty() for none)");
        Objects.requireNonNull(instructions, "instructions (use Optional.empty() for none)");
        if (title.isPresent() && title.get().isBlank()) {
            throw new IllegalArgumentException("title must not be blank when given");
        }
    }

    /** A name and version, without title or instructions. */
    public static ServerConfig of(String name, String version) {
        return new ServerConfig(name, version, Optional.empty(), Optional.empty());
    }
}
