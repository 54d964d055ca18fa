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
 * @param untrustedOutput the upstreams whose tools' output third parties write: checked for prompt injection and
 *                        delimited
 */
public record GatewayConfig(List<UpstreamConfig> upstreams, boolean trustOnFirstUse, Set<String> untrustedOutput) {

    /** A gateway whose upstreams' output is all trusted as the tools' own. */
    public GatewayConfig(List<UpstreamConfig> upstreams, boolean trustOnFirstUse) {
        this(upstreams, trustOnFirstUse, Set.of());
    }

    public GatewayConfig {
        upstreams = List.copyOf(Objects.requireNonNull(upstreams, "upstreams"));
        untrustedOutput = Set.copyOf(Objects.requireNonNull(untrustedOutput, "untrustedOutput"));
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one upstream");
        }
        Set<String> names = new HashSet<>();
        for (UpstreamConfig u : upstreams) {
            if (!names.add(u.name())) {
                throw new IllegalArgumentException("two upstreams are named " + u.name());
            }
        }
        for (String u : untrustedOutput) {
            if (!names.contains(u)) {
                throw new IllegalArgumentException("untrusted output of an unknown upstream " + u);
            }
        }
    }
}
