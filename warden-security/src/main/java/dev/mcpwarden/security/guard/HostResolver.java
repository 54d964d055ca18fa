package dev.mcpwarden.security.guard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Resolves a host name to all of its addresses; injectable so tests need no DNS. */
@FunctionalInterface
public interface HostResolver {

    /** Every address of {@code host} (an ASCII host name, never a literal); throws if it does not resolve. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The system resolver ({@link InetAddress#getAllByName(String)}). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
