package dev.mcpwarden.security.integrity;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Tool integrity as configuration: the pin file the {@link IntegrityGate} checks definitions against.
 *
 * @param pinFile the pin file (JSON, see {@link PinFile}); approvals rewrite it atomically
 */
public record IntegrityConfig(Path pinFile) {

    public IntegrityConfig {
        Objects.requireNonNull(pinFile, "pinFile");
    }

    /** The store over {@link #pinFile()}. */
    public PinStore store() {
        return PinStore.file(pinFile);
    }
}
