package dev.mcpwarden.client;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Why an MCP exchange failed: the server answered with a JSON-RPC error ({@link Reason#JSON_RPC_ERROR}, with its
 * {@linkplain #errorCode() code}, {@linkplain #errorMessage() message} and {@linkplain #errorData() data}), or the
 * transport failed in one of the other {@linkplain Reason ways}. The {@linkplain #getMessage() message} is meant to be
 * shown to a person as it is; callers branch on {@link #reason()}, never on the text.
 */
public final class McpClientException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    public enum Reason {
        /** The server answered the request with a JSON-RPC error (see {@link #errorCode()}). */
        JSON_RPC_ERROR,
        /** No answer within the request timeout. */
        TIMEOUT,
        /** Nothing listens at the endpoint. */
        CONNECTION_REFUSED,
        /** Any other network failure (DNS, TLS, reset, the connection closed mid-response). */
        CONNECTION_FAILED,
        /** An HTTP status that is not an MCP answer: 401, 403, a redirect, 5xx, or a 4xx without a JSON-RPC body. */
        HTTP_STATUS,
        /** The answer was not a JSON-RPC response: not JSON, no result, an SSE stream that ended without it. */
        MALFORMED_RESPONSE,
        /** A response body, SSE event or stdio line was larger than the configured maximum. */
        RESPONSE_TOO_LARGE,
        /** The 2025 session ended on the server (HTTP 404); the next request initializes a new one. */
        SESSION_EXPIRED,
        /** A result asked for client input ({@code resultType: input_required}) where none can be given. */
        INPUT_REQUIRED,
        /** The stdio server could not be started, exited, or stopped reading its input. */
        PROCESS_FAILED,
        /** The bearer token supplier could give no token (its message says why); the request was not sent. */
        CREDENTIAL_UNAVAILABLE,
        /** The client was closed. */
        CLOSED,
        /** The calling thread was interrupted while waiting. */
        INTERRUPTED
    }

    private final Reason reason;
    private final Integer errorCode;
    private final String errorMessage;
    private final JsonNode errorData;
    private final int httpStatus;
    private final Map<String, String> headers;

    McpClientException(Reason reason, String message, Integer errorCode, String errorMessage, JsonNode errorData,
                       int httpStatus, Map<String, String> headers, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.errorData = errorData;
        this.httpStatus = httpStatus;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    static McpClientException of(Reason reason, String message) {
        return new McpClientException(reason, message, null, null, null, 0, null, null);
    }

    static McpClientException of(Reason reason, String message, Throwable cause) {
        return new McpClientException(reason, message, null, null, null, 0, null, cause);
    }

    static McpClientException http(String message, int status, Map<String, String> headers) {
        return new McpClientException(Reason.HTTP_STATUS, message, null, null, null, status, headers, null);
    }

    /**
     * Credentials could not be obtained ({@link Reason#CREDENTIAL_UNAVAILABLE}): thrown by an
     * {@link HttpAuthorization}, such as the OAuth client when an authorization server refuses or cannot be trusted.
     */
    public static McpClientException credentials(String message, Throwable cause) {
        return new McpClientException(Reason.CREDENTIAL_UNAVAILABLE, message, null, null, null, 0, null, cause);
    }

    /** The HTTP answer's headers, lower-case names. */
    Map<String, String> headers() {
        return headers;
    }

    /**
     * A JSON-RPC error to answer a server's request with, thrown from a {@link McpClient.ServerRequestHandler}: the
     * server receives {@code code}, {@code message} and (when not null) {@code data}.
     */
    public static McpClientException error(int code, String message, JsonNode data) {
        return new McpClientException(Reason.JSON_RPC_ERROR, message + " (JSON-RPC error " + code + ")", code,
                message, data, 0, null, null);
    }

    /** What kind of failure this is. */
    public Reason reason() {
        return reason;
    }

    /** The JSON-RPC error code the server answered with; empty unless {@link Reason#JSON_RPC_ERROR}. */
    public Optional<Integer> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** The JSON-RPC error's {@code message} as the server sent it; empty unless {@link Reason#JSON_RPC_ERROR}. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    /** The JSON-RPC error's {@code data}, when the server sent one. */
    public Optional<JsonNode> errorData() {
        return Optional.ofNullable(errorData);
    }

    /** The HTTP status of the answer, when there was one (also for a JSON-RPC error sent with a 4xx); else 0. */
    public int httpStatus() {
        return httpStatus;
    }

    /** A header of the HTTP answer (name case-insensitive), such as {@code WWW-Authenticate} or {@code Location}. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
}
