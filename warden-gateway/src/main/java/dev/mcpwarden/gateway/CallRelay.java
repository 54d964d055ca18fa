package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.dispatch.Call;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What of one caller's request the gateway relays upstream and back, besides its params: the caller's capabilities
 * and log level (2026 upstream, on the request's {@code _meta}), the upstream's log messages as they come, and the
 * upstream's requests to a 2025 caller's stream.
 */
final class CallRelay {

    private static final Logger LOG = LoggerFactory.getLogger(CallRelay.class);

    private CallRelay() {
    }

    /**
     * Puts the caller's capabilities and log level on a request to a 2026 upstream, so the upstream asks only for
     * input the caller can give and logs only what it wants; nothing else of the caller's {@code _meta} goes.
     */
    static void describeCaller(Call call, ObjectNode params) {
        ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
        meta.set(MetaKeys.CLIENT_CAPABILITIES, call.clientCapabilities().deepCopy());
        LogLevel level = call.logLevel();
        if (level != null) {
            meta.put(MetaKeys.LOG_LEVEL, level.wire());
        }
    }

    /**
     * {@code params} with the trace context of the gateway's span for the call in its {@code _meta}
     * ({@code traceparent}, {@code tracestate}: SEP-414), so the upstream's spans join the caller's trace; over
     * HTTP the client mirrors them into headers. Unchanged when the call is not traced. {@code params} are the
     * ones built for this call, without the caller's {@code _meta}: the caller's own context never goes upstream as
     * such (the gateway's span is the upstream's parent).
     */
    static ObjectNode traced(Call call, ObjectNode params) {
        dev.mcpwarden.server.events.TraceContext context = call.attribute(Call.OUTGOING_TRACE_CONTEXT);
        if (context == null) {
            return params; // built for this call, without the caller's _meta (forwardedParams)
        }
        ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
        meta.put("traceparent", context.traceparent());
        if (context.tracestate() != null) {
            meta.put("tracestate", context.tracestate());
        }
        return params;
    }

    /**
     * The upstream's log messages of a request, relayed to the caller (whose round is open now) as they come, when
     * its log level lets them through; other notifications of the stream are not the caller's business.
     */
    static McpClient.NotificationListener logs(Supplier<Call> calls) {
        return (method, params) -> {
            if (!"notifications/message".equals(method) || !(params instanceof ObjectNode p)) {
                return;
            }
            Call call = calls.get();
            LogLevel threshold = call.logLevel();
            LogLevel level = LogLevel.parse(p.path("level").asString("")).orElse(null);
            if (threshold == null || level == null || level.compareTo(threshold) < 0 || call.cancelled()) {
                return;
            }
            ObjectNode relayed = p.deepCopy();
            relayed.remove("_meta");
            try {
                call.outbound().notify(method, relayed);
            } catch (RuntimeException e) {
                LOG.debug("log message not relayed: {}", e.getMessage()); // the caller has gone
            }
        };
    }

    /** A 2025 upstream's requests during a 2025 caller's request, asked of the caller on its stream. */
    static McpClient.ServerRequestHandler askCaller(Call call) {
        return (method, params) -> {
            String capability = capabilityOf(method);
            if (capability == null || !call.clientCapabilities().has(capability)) {
                throw McpClientException.error(ErrorCodes.METHOD_NOT_FOUND, "Method not found", null);
            }
            ObjectNode asked = params instanceof ObjectNode o ? o.deepCopy() : dev.mcpwarden.core.json.Json.object();
            if (asked.get("_meta") instanceof ObjectNode meta) {
                meta.remove(MetaKeys.INPUT_KEY); // the upstream's own business, as in a 2026 round
                if (meta.isEmpty()) {
                    asked.remove("_meta");
                }
            }
            try {
                return call.outbound().request(method, asked);
            } catch (McpError e) {
                throw McpClientException.error(e.code(), e.getMessage(), e.data());
            } catch (RuntimeException e) {
                throw McpClientException.error(ErrorCodes.INTERNAL_ERROR, "The client did not answer", null);
            }
        };
    }

    /** The client capability a server-to-client request needs, or null for one the gateway does not relay. */
    static String capabilityOf(String method) {
        return switch (method) {
            case "elicitation/create" -> "elicitation";
            case "sampling/createMessage" -> "sampling";
            case "roots/list" -> "roots";
            default -> null;
        };
    }
}
