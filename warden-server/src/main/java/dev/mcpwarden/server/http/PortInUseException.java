package dev.mcpwarden.server.http;

/**
 * The HTTP transport could not listen because another process already does on its address and port. The message is
 * one line meant for the person starting the server; the {@link java.net.BindException} is the cause.
 */
public final class PortInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;

    PortInUseException(String host, int port, Throwable cause) {
        super("port " + port + " on " + host + " is already in use: stop the process listening there, or choose "
                + "another port", cause);
        this.host = host;
        this.port = port;
    }

    /** The address the transport was to listen on. */
    public String host() {
        return host;
    }

    /** The port that is taken. */
    public int port() {
        return port;
    }
}
