package dev.mcpwarden.server.dispatch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Where a request's notifications (and, on the 2025 wire, server-to-client requests) go while it runs. */
public interface Outbound {

    /** Sends a notification related to the request. */
    void notify(String method, ObjectNode params);

    /**
     * Sends a server-to-client request and waits for the answer (2025 wire only).
     *
     * @throws UnsupportedOperationException on transports or eras that cannot carry server requests
     */
    JsonNode request(String method, ObjectNode params);

    /**
     * Closes the connection carrying the response but keeps the stream, so the client reconnects with
     * {@code Last-Event-ID} (2025-11-25 SSE polling). Does nothing where that is not possible.
     */
    default void detachForPolling() {
    }

    /** An outbound that drops everything: for notifications-free contexts. */
    Outbound NONE = new Outbound() {
        @Override
        public void notify(String method, ObjectNode params) {
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            throw new UnsupportedOperationException("this request cannot send requests to the client");
        }
    };
}
