package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.task.TaskRun;
import java.time.Duration;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2026 upstream's task, relayed as a task of the gateway's own: the caller is answered with the gateway's task (an
 * id of its own, bound to the caller like every task), and this follows the upstream's task on the task's thread
 * until it ends. Its input requests are asked through the gateway's task and the answers sent upstream with
 * {@code tasks/update}; a cancelled gateway task cancels the upstream's. What the upstream's task produced comes back
 * as this call's result, so the output guards judge it like any direct answer. The upstream's task id never leaves
 * the gateway.
 */
final class UpstreamTasks {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamTasks.class);
    private static final long MIN_POLL_MS = 50;
    private static final long MAX_POLL_MS = 5_000;

    private UpstreamTasks() {
    }

    /** Whether an upstream's answer to a tool call is a task. */
    static boolean isTask(JsonNode result) {
        return "task".equals(result.path("resultType").asString(""));
    }

    /**
     * Follows the upstream's task {@code created} to its end. {@code send} sends one request upstream (method, params
     * without {@code _meta}: it describes the caller) and answers its result.
     */
    static ObjectNode follow(Call call, String upstream, ObjectNode created,
                             BiFunction<String, ObjectNode, ObjectNode> send) {
        JsonNode id = created.get("taskId");
        if (id == null || !id.isString()) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Upstream " + upstream + " answered a task without an id");
        }
        TaskRun run = call.attribute(TaskRun.KEY);
        if (run == null) {
            // the caller did not ask for tasks (the upstream should not have made one): its request waits instead
            LOG.debug("upstream {} answered a caller without the tasks extension with a task", upstream);
        } else {
            run.start();
        }
        String taskId = id.asString();
        long poll = pollMs(created);
        try {
            while (true) {
                if (call.cancelled()) {
                    throw cancelled(upstream, taskId, send);
                }
                ObjectNode t = send.apply("tasks/get", Json.object().put("taskId", taskId));
                switch (t.path("status").asString("")) {
                    case "completed" -> {
                        if (!(t.get("result") instanceof ObjectNode result)) {
                            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Upstream " + upstream
                                    + " completed a task without a result");
                        }
                        ObjectNode out = result.deepCopy();
                        out.remove("resultType");
                        return out;
                    }
                    case "failed" -> throw failure(upstream, t.path("error"));
                    case "cancelled" -> throw new McpError(ErrorCodes.INTERNAL_ERROR, "Upstream " + upstream
                            + " cancelled the task");
                    case "input_required" -> {
                        if (run == null || !(t.get("inputRequests") instanceof ObjectNode asked) || asked.isEmpty()) {
                            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Upstream " + upstream
                                    + " asked for input the caller cannot be asked");
                        }
                        ObjectNode answers;
                        try {
                            answers = run.input(asked.deepCopy());
                        } catch (McpError refused) {
                            // refused (withheld by the output guards, beyond the task's bounds): the upstream's task
                            // is not left waiting for an answer that never comes
                            cancelled(upstream, taskId, send);
                            throw refused;
                        }
                        ObjectNode update = Json.object().put("taskId", taskId);
                        update.set("inputResponses", answers);
                        send.apply("tasks/update", update);
                        continue;
                    }
                    default -> {
                    }
                }
                poll = pollMs(t);
                Thread.sleep(poll);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled(upstream, taskId, send);
        } catch (RuntimeException e) {
            if (call.cancelled()) { // interrupted in the middle of a request upstream
                throw cancelled(upstream, taskId, send);
            }
            throw e;
        }
    }

    /** The longest message of an upstream's failed task passed on. */
    static final int MAX_MESSAGE = 200;

    /**
     * An upstream task's error as the caller gets it, mapped as upstream errors are: its code when it is an integer,
     * its message cut at its first line and at {@value #MAX_MESSAGE} characters, control characters dropped, and
     * never its data (the upstream's internals).
     */
    static McpError failure(String upstream, JsonNode error) {
        int code = error.path("code").isInt() ? error.path("code").asInt() : ErrorCodes.INTERNAL_ERROR;
        String message = error.path("message").isString() ? error.path("message").asString() : "";
        int eol = message.indexOf('\n');
        int cr = message.indexOf('\r');
        if (cr >= 0 && (eol < 0 || cr < eol)) {
            eol = cr;
        }
        if (eol >= 0) {
            message = message.substring(0, eol);
        }
        // cleaned of addresses, hosts, paths and exception names as every upstream error is (UpstreamFailure)
        message = UpstreamFailure.sanitized(message.replaceAll("\\p{Cntrl}", "").strip());
        if (message.length() > MAX_MESSAGE) {
            int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE - 1)) ? MAX_MESSAGE - 1 : MAX_MESSAGE;
            message = message.substring(0, end);
        }
        return new McpError(code, "Upstream " + upstream + ": " + (message.isEmpty() ? "the task failed" : message));
    }

    private static McpError cancelled(String upstream, String taskId,
                                      BiFunction<String, ObjectNode, ObjectNode> send) {
        boolean interrupted = Thread.interrupted(); // the cancel must still reach the upstream
        try {
            send.apply("tasks/cancel", Json.object().put("taskId", taskId));
        } catch (RuntimeException e) {
            LOG.info("upstream {} was not told its task was cancelled: {}", upstream, e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return new McpError(ErrorCodes.INTERNAL_ERROR, "Request cancelled");
    }

    private static long pollMs(JsonNode task) {
        long p = task.path("pollIntervalMs").asLong(Duration.ofSeconds(1).toMillis());
        return Math.max(MIN_POLL_MS, Math.min(MAX_POLL_MS, p));
    }

    /**
     * A 2025 upstream's requests during a call the gateway runs as its task, asked of the caller through the task
     * (each under a key of its own, never reused in the task): what the caller cannot answer (no such capability) is
     * refused to the upstream as an unknown method.
     */
    static dev.mcpwarden.client.McpClient.ServerRequestHandler askThrough(Call call, TaskRun task) {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        return (method, params) -> {
            String capability = CallRelay.capabilityOf(method);
            if (capability == null || !call.clientCapabilities().has(capability)) {
                throw dev.mcpwarden.client.McpClientException.error(ErrorCodes.METHOD_NOT_FOUND, "Method not found",
                        null);
            }
            ObjectNode p = params instanceof ObjectNode o ? o.deepCopy() : Json.object();
            p.remove("_meta");
            String key = "upstream-" + asked.incrementAndGet();
            ObjectNode request = Json.object();
            request.putObject(key).put("method", method).set("params", p);
            try {
                return task.input(request).get(key);
            } catch (McpError e) {
                throw dev.mcpwarden.client.McpClientException.error(e.code(), e.getMessage(), e.data());
            }
        };
    }
}
