package dev.mcpwarden.telemetry;

import java.util.Objects;

/**
 * Where the admin port listens: {@code /metrics}, {@code /healthz}, {@code /readyz} (and, later, the console). On
 * loopback unless a host is named: what it serves is for the operator, not for clients.
 *
 * @param host the address to bind ({@code 127.0.0.1} by default)
 * @param port the port; 0 for any free one
 */
public record AdminOptions(String host, int port) {

    public AdminOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the admin host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the admin port must be between 0 and 65535, was " + port);
        }
    }

    /** The admin port on {@code 127.0.0.1}. */
    public static AdminOptions loopback(int port) {
        return new AdminOptions("127.0.0.1", port);
    }

    /** Whether the port is reachable only from this machine. */
    public boolean isLoopback() {
        return host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
    }
}
