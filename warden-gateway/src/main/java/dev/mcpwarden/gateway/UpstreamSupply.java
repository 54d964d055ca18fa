package dev.mcpwarden.gateway;

import java.util.Objects;
import java.util.Optional;

/**
 * What the gateway verified of the program an upstream runs, before running it: shown by {@code warden gateway
 * status} and audited.
 *
 * @param source     {@code npm} (a package the gateway installed), {@code file} (a command whose program's digest is
 *                   pinned), or {@code none} (an HTTP upstream, or a command not pinned)
 * @param subject    the package ({@code name@version}) or the program's path; empty for {@code none}
 * @param pinned     whether it is pinned: an exact package version, or a program digest
 * @param integrity  the package's integrity from its lockfile ({@code sha512-...}), or the program's digest
 * @param tree       the digest of the installed package tree the gateway recorded and checked at start
 * @param signatures the registry's signatures: {@code verified (N packages)}, {@code unavailable: WHY}, or
 *                   {@code not applicable}
 */
public record UpstreamSupply(String source, Optional<String> subject, boolean pinned, Optional<String> integrity,
                             Optional<String> tree, String signatures) {

    /** An upstream whose program the gateway does not check. */
    public static final UpstreamSupply NONE = new UpstreamSupply("none", Optional.empty(), false, Optional.empty(),
            Optional.empty(), "not applicable");

    public UpstreamSupply {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(tree, "tree");
        Objects.requireNonNull(signatures, "signatures");
    }
}
