package dev.mcpwarden.security.integrity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/** Where an {@link IntegrityGate} loads its pins from and saves approvals to. */
public interface PinStore {

    /** The current pins. */
    PinFile load() throws IOException;

    /** Replaces the pins (called after an approval). */
    void save(PinFile pins) throws IOException;

    /** A pin file on disk, rewritten atomically on every approval. */
    static PinStore file(Path path) {
        Objects.requireNonNull(path, "path");
        return new PinStore() {
            @Override
            public PinFile load() throws IOException {
                return PinFile.read(path);
            }

            @Override
            public void save(PinFile pins) throws IOException {
                pins.write(path);
            }

            @Override
            public String toString() {
                return "pin file " + path;
            }
        };
    }

    /** Pins held in memory only (tests, or approvals that must not outlive the process). */
    static PinStore memory(PinFile initial) {
        Objects.requireNonNull(initial, "initial");
        return new PinStore() {
            private volatile PinFile pins = initial;

            @Override
            public PinFile load() {
                return pins;
            }

            @Override
            public void save(PinFile next) {
                pins = next;
            }

            @Override
            public String toString() {
                return "pins in memory";
            }
        };
    }

    /** Loads, turning an I/O failure into an unchecked one (for start-up code). */
    default PinFile loadUnchecked() {
        try {
            return load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + this + ": " + e.getMessage(), e);
        }
    }
}
