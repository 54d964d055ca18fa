package dev.mcpwarden.security.guard;

import java.io.IOException;
import java.util.Objects;

/** {@link SafeHttpFetcher} refused a URL or one of its redirects; the block says why, for the audit log. */
public final class FetchRefusedException extends IOException {

    private final transient Verdict.Block block;
    private final int hop;

    public FetchRefusedException(Verdict.Block block, int hop) {
        super("hop " + hop + ": " + Objects.requireNonNull(block, "block").reason());
        this.block = block;
        this.hop = hop;
    }

    /** Why the fetch was refused. */
    public Verdict.Block block() {
        return block;
    }

    /** Which request of the chain was refused: 0 for the URL itself, n for the n-th redirect. */
    public int hop() {
        return hop;
    }
}
