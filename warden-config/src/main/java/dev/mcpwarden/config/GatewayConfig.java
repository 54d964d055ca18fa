package dev.mcpwarden.config;

import dev.mcpwarden.gateway.UpstreamConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code gateway:} section: the MCP servers Warden serves as one endpoint, behind the file's security pipeline
 * ({@code warden gateway --config FILE}).
 *
 * @param upstreams       the upstreams, at least one, each name once
 * @param trustOnFirstUse with {@code security.integrity.pins} naming a file that does not exist: pin what the
 *                        upstreams list at start-up
 */
public record GatewayConfig(List<UpstreamConfig> upstreams, boolean trustOnFirstUse) {

    public GatewayConfig {
        upstreams = List.copyOf(Objects.requireNonNull(upstreams, "upstreams"));
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one upstream");
        }
        Set<String> names = new HashSet<>();
        for (UpstreamConfig u : upstreams) {
            if (!names.add(u.name())) {
                throw new IllegalArgumentException("two upstreams are named " + u.name());
            }
        }
    }
}
