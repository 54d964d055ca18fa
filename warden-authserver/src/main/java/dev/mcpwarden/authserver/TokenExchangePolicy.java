package dev.mcpwarden.authserver;

import java.util.Map;
import java.util.Set;

/**
 * Which clients may exchange an access token this server issued for one with another audience (RFC 8693), and
 * which audiences each source audience may be exchanged for. Nothing is allowed unless listed here.
 *
 * @param clients   confidential clients allowed to call the token exchange grant
 * @param audiences for each source audience (a resource), the target audiences it may be exchanged for
 */
public record TokenExchangePolicy(Set<String> clients, Map<String, Set<String>> audiences) {

    public TokenExchangePolicy {
        clients = Set.copyOf(clients);
        Map<String, Set<String>> copy = new java.util.HashMap<>();
        audiences.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
        audiences = Map.copyOf(copy);
    }

    /** No token exchange at all. */
    public static TokenExchangePolicy none() {
        return new TokenExchangePolicy(Set.of(), Map.of());
    }

    /** Whether {@code client} may exchange a token for {@code source} into one for {@code target}. */
    public boolean allows(String client, String source, String target) {
        return clients.contains(client) && audiences.getOrDefault(source, Set.of()).contains(target);
    }
}
