package dev.mcpwarden.server.http;

/**
 * The HTTP transport could not listen because another process already does on its address and port. The message is
 * one line meant for the person starting the server; the {@link java.net.BindException} is the cause. Neither carries
 * a stack trace: where Jetty happened to be when the port was taken helps nobody, so an uncaught one prints two
 * lines, this message and the cause's.
 */
public final class PortInUseException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;

    PortInUseException(String host, int port, java.net.BindException cause) {
        super("port " + port + " on " + host + " is already in use: stop the process listening there, or choose "
                + "another port");
        java.net.BindException bind = new java.net.BindException(cause.getMessage());
        bind.setStackTrace(new StackTraceElement[0]);
        initCause(bind);
        this.host = host;
        this.port = port;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // see the class comment: no trace
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
