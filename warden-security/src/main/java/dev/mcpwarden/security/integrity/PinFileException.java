package dev.mcpwarden.security.integrity;

/** A pin file that cannot be used: not JSON, the wrong shape, an unsupported version or a malformed digest. */
public final class PinFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    PinFileException(String message) {
        super(message);
    }

    PinFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
