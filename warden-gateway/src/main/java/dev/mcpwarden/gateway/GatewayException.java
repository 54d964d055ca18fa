package dev.mcpwarden.gateway;

/** The gateway cannot start: an upstream cannot be reached or answers badly, or two upstreams claim one name. */
public final class GatewayException extends Exception {

    GatewayException(String message) {
        super(message);
    }

    GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
