package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.input.InputBroker;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import dev.mcpwarden.server.tool.ToolContext;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The context handed to tool, prompt and resource handlers. */
final class HandlerContext implements ToolContext {

    private final Call call;
    private final String toolName;
    private final ObjectNode arguments;
    private final InputBroker broker;

    HandlerContext(Call call, String toolName, ObjectNode arguments, InputBroker broker) {
        this.call = call;
        this.toolName = toolName;
        this.arguments = arguments == null ? Json.object() : arguments;
        this.broker = broker;
    }

    @Override
    public ProtocolVersion protocolVersion() {
        return call.version();
    }

    @Override
    public dev.mcpwarden.server.auth.Principal principal() {
        return call.principal();
    }

    @Override
    public ObjectNode clientCapabilities() {
        return call.clientCapabilities();
    }

    @Override
    public void progress(double progress, Double total, String message) {
        JsonNode token = call.progressToken();
        if (token == null || call.cancelled() || inTask()) {
            return;
        }
        ObjectNode p = Json.object();
        p.set("progressToken", token);
        p.put("progress", progress);
        if (total != null) {
            p.put("total", total);
        }
        if (message != null) {
            p.put("message", message);
        }
        call.outbound().notify("notifications/progress", p);
    }

    @Override
    public void log(LogLevel level, String logger, JsonNode data) {
        LogLevel threshold = call.logLevel();
        if (threshold == null || level.compareTo(threshold) < 0 || call.cancelled() || inTask()) {
            return;
        }
        ObjectNode p = Json.object();
        p.put("level", level.wire());
        if (logger != null) {
            p.put("logger", logger);
        }
        p.set("data", data);
        call.outbound().notify("notifications/message", p);
    }

    @Override
    public InputResponses input(Map<String, InputRequest> requests) {
        for (InputRequest r : requests.values()) {
            if (!clientSupports(r.capability())) {
                ObjectNode needed = Json.object();
                needed.putObject(r.capability());
                ObjectNode data = Json.object();
                data.set("requiredCapabilities", needed);
                // -32021 exists only on the 2026 wire; 2025 clients get a plain invalid request
                throw call.modern()
                        ? new McpError(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY,
                                "Client capability required: " + r.capability(), data, 400)
                        : new McpError(ErrorCodes.INVALID_REQUEST,
                                "Client capability required: " + r.capability(), data);
            }
        }
        dev.mcpwarden.server.task.TaskRun task = call.attribute(dev.mcpwarden.server.task.TaskRun.KEY);
        if (task != null && task.started()) {
            return task.input(requests);
        }
        if (broker != null) {
            InputResponses answers = broker.resolve(requests);
            if (task != null) {
                task.start(); // a tool that asks before it becomes a task: its input is in, the task begins here
            }
            return answers;
        }
        Map<String, JsonNode> answers = new LinkedHashMap<>();
        if (requests.size() == 1) {
            Map.Entry<String, InputRequest> e = requests.entrySet().iterator().next();
            answers.put(e.getKey(), call.outbound().request(e.getValue().method(), keyed(e.getKey(), e.getValue())));
            return new InputResponses(answers);
        }
        // Several requests go out together, as one 2026 round would ask them: the client may answer in any order,
        // and a proxy translating to the 2026 wire sees them as one round.
        Map<String, java.util.concurrent.Future<JsonNode>> pending = new LinkedHashMap<>();
        try (var asks = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
                pending.put(e.getKey(), asks.submit(() -> call.outbound().request(e.getValue().method(),
                        keyed(e.getKey(), e.getValue()))));
            }
            for (Map.Entry<String, java.util.concurrent.Future<JsonNode>> e : pending.entrySet()) {
                answers.put(e.getKey(), e.getValue().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The request was cancelled");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Internal error");
        }
        return new InputResponses(answers);
    }

    /**
     * The params of a 2025 server-to-client request, naming the handler's key for it in {@code _meta}
     * ({@value dev.mcpwarden.core.protocol.MetaKeys#INPUT_KEY}): clients ignore it, and a Warden gateway turning
     * the request into a 2026 {@code input_required} round keys it the way this server would on the 2026 wire.
     */
    private static ObjectNode keyed(String key, InputRequest request) {
        ObjectNode p = request.params().deepCopy();
        ObjectNode meta = p.get("_meta") instanceof ObjectNode m ? m : p.putObject("_meta");
        meta.put(dev.mcpwarden.core.protocol.MetaKeys.INPUT_KEY, key);
        return p;
    }

    /** A task answers nothing on the request's stream: the extension has no progress or log for tasks. */
    private boolean inTask() {
        dev.mcpwarden.server.task.TaskRun task = call.attribute(dev.mcpwarden.server.task.TaskRun.KEY);
        return task != null && task.started();
    }

    @Override
    public void suggestReconnect() {
        call.outbound().detachForPolling();
    }

    @Override
    public boolean isCancelled() {
        return call.cancelled();
    }

    @Override
    public String toolName() {
        return toolName;
    }

    @Override
    public ObjectNode arguments() {
        return arguments;
    }

    @Override
    public <T> T arguments(Class<T> type) {
        try {
            return Json.standard().mapper().treeToValue(arguments, type);
        } catch (RuntimeException e) {
            throw new ArgumentBindingException(toolName, e);
        }
    }

    /** Arguments that passed the schema but do not bind to the handler's type. */
    static final class ArgumentBindingException extends RuntimeException {
        ArgumentBindingException(String tool, Throwable cause) {
            super("arguments of " + tool + " do not bind", cause);
        }
    }
}
