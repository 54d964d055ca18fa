package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.content.PromptMessage;
import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.CanonicalJson;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.backend.Envelope;
import dev.mcpwarden.server.input.InputBroker;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputRequired;
import dev.mcpwarden.server.input.StateSealer;
import dev.mcpwarden.server.prompt.Completer;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.session.Session;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves MCP methods for both eras. Transports hand it a {@link Call}; it returns the result object, or throws
 * {@link McpError} for a protocol error. Tool failures become tool error results; their causes are logged under an
 * error id and never sent to the client.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** Methods that only exist on the 2025 wire. */
    public static final Set<String> LEGACY_ONLY = Set.of("initialize", "ping", "logging/setLevel",
            "resources/subscribe", "resources/unsubscribe");
    /** Methods that only exist on the 2026 wire. */
    public static final Set<String> MODERN_ONLY = Set.of("server/discover", "subscriptions/listen");
    private static final Set<String> SHARED = Set.of("tools/list", "tools/call", "resources/list",
            "resources/templates/list", "resources/read", "prompts/list", "prompts/get", "completion/complete");

    private final ServerIdentity identity;
    private final Catalog catalog;
    private final ServerOptions options;
    private final StateSealer sealer;
    private final Cursors cursors = new Cursors();
    private final ObjectNode capabilities;
    private final ObjectNode serverInfo;

    Dispatcher(ServerIdentity identity, Catalog catalog, ServerOptions options, StateSealer sealer,
                      ObjectNode capabilities) {
        this.identity = identity;
        this.catalog = catalog;
        this.options = options;
        this.sealer = sealer;
        this.capabilities = capabilities;
        this.serverInfo = identity.toJson();
    }

    public ObjectNode capabilities() {
        return capabilities;
    }

    public ObjectNode serverInfo() {
        return serverInfo;
    }

    /** Whether a method exists in an era (used by transports to answer 404 before doing any work). */
    public boolean knows(String method, boolean modern) {
        if (SHARED.contains(method)) {
            return capabilityFor(method) == null || capabilities.has(capabilityFor(method));
        }
        return modern ? MODERN_ONLY.contains(method) : LEGACY_ONLY.contains(method);
    }

    private static String capabilityFor(String method) {
        if (method.startsWith("tools/")) {
            return "tools";
        }
        if (method.startsWith("resources/")) {
            return "resources";
        }
        if (method.startsWith("prompts/")) {
            return "prompts";
        }
        if (method.startsWith("completion/")) {
            return "completions";
        }
        return null;
    }

    /** Serves one request. The result carries the era's envelope fields (resultType, caching hints). */
    public JsonNode dispatch(Call call) {
        String method = call.method();
        if (!knows(method, call.modern())) {
            throw McpError.methodNotFound(method, call.modern());
        }
        if (!call.inline()) {
            call.worker(Thread.currentThread()); // an I/O thread is never interrupted: it serves other connections
        }
        ObjectNode result = switch (method) {
            case "ping" -> Json.object();
            case "logging/setLevel" -> setLevel(call);
            case "server/discover" -> discover();
            case "tools/list" -> page(call, "tools", catalog.tools(), t -> t.tool().toJson());
            case "tools/call" -> callTool(call);
            case "resources/list" -> page(call, "resources", catalog.resources(), Resource::toJson);
            case "resources/templates/list" -> page(call, "resourceTemplates", catalog.templates(),
                    ResourceTemplate::toJson);
            case "resources/read" -> readResource(call);
            case "resources/subscribe" -> subscribe(call, true);
            case "resources/unsubscribe" -> subscribe(call, false);
            case "prompts/list" -> page(call, "prompts", catalog.prompts(), Prompt::toJson);
            case "prompts/get" -> getPrompt(call);
            case "completion/complete" -> complete(call);
            case "subscriptions/listen" -> listen(call);
            default -> throw McpError.methodNotFound(method);
        };
        return call.modern() ? Envelope.modern(method, result, options) : result;
    }

    /** The result of a 2025 {@code initialize}, given the version it negotiated. */
    public ObjectNode initializeResult(ProtocolVersion negotiated) {
        ObjectNode r = Json.object();
        r.put("protocolVersion", negotiated.id());
        r.set("capabilities", legacyCapabilities());
        r.set("serverInfo", serverInfo);
        if (identity.instructions() != null) {
            r.put("instructions", identity.instructions());
        }
        return r;
    }

    private ObjectNode legacyCapabilities() {
        ObjectNode c = capabilities.deepCopy();
        c.remove("extensions");
        return c;
    }

    private ObjectNode discover() {
        return Envelope.discover(capabilities, identity.instructions(), serverInfo);
    }

    private ObjectNode setLevel(Call call) {
        String level = call.params().path("level").asString("");
        LogLevel parsed = LogLevel.parse(level)
                .orElseThrow(() -> McpError.invalidParams("Invalid log level: " + level));
        if (call.session() != null) {
            call.session().logLevel(parsed);
        }
        return Json.object();
    }

    private <T> ObjectNode page(Call call, String key, List<T> items, Function<T, ObjectNode> toJson) {
        JsonNode cursorNode = call.params().get("cursor");
        int offset = 0;
        if (cursorNode != null && !cursorNode.isNull()) {
            if (!cursorNode.isString()) {
                throw McpError.invalidParams("Invalid cursor");
            }
            offset = cursors.decode(key, cursorNode.asString());
            if (offset < 0 || offset > items.size()) {
                throw McpError.invalidParams("Invalid cursor");
            }
        }
        int end = Math.min(items.size(), offset + options.pageSize());
        ObjectNode r = Json.object();
        ArrayNode arr = r.putArray(key);
        for (int i = offset; i < end; i++) {
            arr.add(toJson.apply(items.get(i)));
        }
        if (end < items.size()) {
            r.put("nextCursor", cursors.encode(key, end));
        }
        return r;
    }

    private static String requiredString(ObjectNode params, String key) {
        JsonNode v = params.get(key);
        if (v == null || !v.isString()) {
            throw McpError.invalidParams("Missing or invalid '" + key + "': a string is required");
        }
        return v.asString();
    }

    private ObjectNode callTool(Call call) {
        ObjectNode params = call.params();
        String name = requiredString(params, "name");
        Catalog.RegisteredTool registered = catalog.tool(name);
        if (registered == null) {
            throw McpError.invalidParams("Unknown tool: " + name);
        }
        if (call.inline() && !registered.tool().nonBlocking()) {
            // The transport checked the Mcp-Name header against this name before going inline; never block it.
            throw new IllegalStateException("tool " + name + " may block but was called on an I/O thread");
        }
        JsonNode args = params.get("arguments");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw McpError.invalidParams("Tool arguments must be an object");
        }
        ObjectNode arguments = args instanceof ObjectNode o ? o : Json.object();
        List<String> problems = registered.input().validate(arguments);
        if (!problems.isEmpty()) {
            call.attribute(Call.SCHEMA_VIOLATION, String.join("; ", problems));
            return ToolResult.error("Invalid arguments for tool " + name + ": " + String.join("; ", problems))
                    .toJson();
        }
        return withInput(call, "tools/call", name, arguments, broker -> {
            HandlerContext ctx = new HandlerContext(call, name, arguments, broker);
            try {
                return checkOutput(registered, registered.tool().handler().call(ctx));
            } catch (McpError | InputRequired e) {
                throw e;
            } catch (HandlerContext.ArgumentBindingException e) {
                return ToolResult.error("Invalid arguments for tool " + name).toJson();
            } catch (Exception e) {
                if (call.cancelled()) {
                    throw new McpError(ErrorCodes.INTERNAL_ERROR, "Request cancelled");
                }
                String errorId = UUID.randomUUID().toString();
                LOG.warn("tool {} failed (error id {})", name, errorId, e);
                return ToolResult.error("Tool " + name + " failed (error id " + errorId + ")").toJson();
            }
        });
    }

    /** A tool that declares an output schema must return structured content that conforms to it. */
    private static ObjectNode checkOutput(Catalog.RegisteredTool registered, ToolResult result) {
        if (registered.output() != null && !result.isError()) {
            List<String> problems = result.structuredContent() == null
                    ? List.of("structuredContent is missing")
                    : registered.output().validate(result.structuredContent());
            if (!problems.isEmpty()) {
                String errorId = UUID.randomUUID().toString();
                LOG.error("tool {} returned output that does not match its output schema (error id {}): {}",
                        registered.tool().name(), errorId, problems);
                return ToolResult.error("Tool " + registered.tool().name()
                        + " failed (error id " + errorId + ")").toJson();
            }
        }
        return result.toJson();
    }

    /** What a handler body produces, given the input broker of this round (null on the 2025 wire). */
    @FunctionalInterface
    private interface Round {
        ObjectNode run(InputBroker broker) throws Exception;
    }

    /**
     * Runs a handler that may ask for client input. On the 2026 wire, earlier answers come from the sealed
     * requestState and the retry's inputResponses; unanswered requests end the round with input_required.
     */
    private ObjectNode withInput(Call call, String method, String target, JsonNode arguments, Round round) {
        if (!call.modern()) {
            try {
                return round.run(null);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "Internal error");
            }
        }
        ObjectNode params = call.params();
        // The binding (with its argument digest) is only needed when state is opened or sealed: compute it lazily.
        java.util.function.Supplier<String> binding = new java.util.function.Supplier<>() {
            private String value;

            @Override
            public String get() {
                if (value == null) {
                    value = call.principalKey() + "\n" + method + "\n" + target + "\n" + digest(arguments);
                }
                return value;
            }
        };
        Map<String, JsonNode> known = new LinkedHashMap<>();
        JsonNode state = params.get("requestState");
        if (state != null && !state.isNull()) {
            if (!state.isString()) {
                throw McpError.invalidParams("Invalid requestState");
            }
            ObjectNode opened = sealer.open(binding.get(), state.asString())
                    .orElseThrow(() -> McpError.invalidParams("Invalid requestState"));
            opened.path("answers").properties().forEach(e -> known.put(e.getKey(), e.getValue()));
        }
        JsonNode responses = params.get("inputResponses");
        if (responses != null && !responses.isNull()) {
            if (!responses.isObject()) {
                throw McpError.invalidParams("inputResponses must be an object");
            }
            responses.properties().forEach(e -> known.put(e.getKey(), e.getValue()));
        }
        InputBroker broker = new InputBroker(known);
        try {
            return round.run(broker);
        } catch (InputRequired required) {
            ObjectNode r = Json.object();
            r.put("resultType", "input_required");
            ObjectNode requests = r.putObject("inputRequests");
            for (Map.Entry<String, InputRequest> e : required.requests().entrySet()) {
                ObjectNode req = requests.putObject(e.getKey());
                req.put("method", e.getValue().method());
                req.set("params", e.getValue().params());
            }
            ObjectNode payload = Json.object();
            ObjectNode answers = payload.putObject("answers");
            broker.used().forEach(answers::set);
            r.put("requestState", sealer.seal(binding.get(), payload));
            return r;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Internal error");
        }
    }

    private static String digest(JsonNode value) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(CanonicalJson.utf8(value)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode readResource(Call call) {
        String uri = requiredString(call.params(), "uri");
        Resource resource = catalog.resource(uri);
        if (resource != null) {
            return withInput(call, "resources/read", uri, null, broker -> contents(uri,
                    resource.reader().read(uri, new HandlerContext(call, null, null, broker))));
        }
        for (ResourceTemplate t : catalog.templates()) {
            Optional<Map<String, String>> vars = t.match(uri);
            if (vars.isPresent()) {
                return withInput(call, "resources/read", uri, null, broker -> contents(uri,
                        t.reader().read(uri, vars.get(), new HandlerContext(call, null, null, broker))));
            }
        }
        throw resourceNotFound(call, uri);
    }

    private static McpError resourceNotFound(Call call, String uri) {
        return dev.mcpwarden.server.backend.Missing.resource(uri, call.modern());
    }

    private static ObjectNode contents(String uri, List<ResourceContents> contents) {
        if (contents == null || contents.isEmpty()) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Resource has no contents: " + uri);
        }
        ObjectNode r = Json.object();
        ArrayNode arr = r.putArray("contents");
        contents.forEach(c -> arr.add(c.toJson()));
        return r;
    }

    private ObjectNode subscribe(Call call, boolean on) {
        String uri = requiredString(call.params(), "uri");
        boolean known = catalog.resource(uri) != null
                || catalog.templates().stream().anyMatch(t -> t.match(uri).isPresent());
        if (!known) {
            throw resourceNotFound(call, uri);
        }
        Session s = call.session();
        if (s != null) {
            if (!on) {
                s.unsubscribe(uri);
            } else if (!s.subscribe(uri)) {
                throw McpError.invalidParams("Invalid params: a session may subscribe to at most "
                        + Session.MAX_SUBSCRIPTIONS + " resources");
            }
        }
        return Json.object();
    }

    private ObjectNode getPrompt(Call call) {
        ObjectNode params = call.params();
        String name = requiredString(params, "name");
        Prompt prompt = catalog.prompt(name);
        if (prompt == null) {
            throw McpError.invalidParams("Unknown prompt: " + name);
        }
        JsonNode args = params.get("arguments");
        Map<String, String> values = new LinkedHashMap<>();
        if (args != null && !args.isNull()) {
            if (!args.isObject()) {
                throw McpError.invalidParams("Prompt arguments must be an object of strings");
            }
            for (Map.Entry<String, JsonNode> e : args.properties()) {
                if (!e.getValue().isString()) {
                    throw McpError.invalidParams("Prompt argument '" + e.getKey() + "' must be a string");
                }
                values.put(e.getKey(), e.getValue().asString());
            }
        }
        for (Prompt.Argument a : prompt.arguments()) {
            if (a.required() && !values.containsKey(a.name())) {
                throw McpError.invalidParams("Missing required argument: " + a.name());
            }
        }
        return withInput(call, "prompts/get", name, args, broker -> {
            Prompt.Rendered rendered = prompt.renderer().render(values, new HandlerContext(call, null, null, broker));
            ObjectNode r = Json.object();
            if (rendered.description() != null) {
                r.put("description", rendered.description());
            }
            ArrayNode messages = r.putArray("messages");
            for (PromptMessage m : rendered.messages()) {
                messages.add(m.toJson());
            }
            return r;
        });
    }

    private ObjectNode complete(Call call) {
        ObjectNode params = call.params();
        JsonNode ref = params.get("ref");
        JsonNode argument = params.get("argument");
        if (ref == null || !ref.isObject() || argument == null || !argument.isObject()) {
            throw McpError.invalidParams("completion/complete needs ref and argument objects");
        }
        String type = ref.path("type").asString("");
        String argName = argument.path("name").asString("");
        String value = argument.path("value").asString("");
        String target;
        switch (type) {
            case "ref/prompt" -> {
                target = ref.path("name").asString("");
                if (catalog.prompt(target) == null) {
                    throw McpError.invalidParams("Unknown prompt: " + target);
                }
            }
            case "ref/resource" -> {
                target = ref.path("uri").asString("");
                if (catalog.templates().stream().noneMatch(t -> t.uriTemplate().equals(target))) {
                    throw McpError.invalidParams("Unknown resource template: " + target);
                }
            }
            default -> throw McpError.invalidParams("Unknown reference type: " + type);
        }
        Map<String, String> context = new LinkedHashMap<>();
        params.path("context").path("arguments").properties()
                .forEach(e -> context.put(e.getKey(), e.getValue().asString("")));
        Completer completer = catalog.completer(type, target, argName);
        List<String> values = completer == null ? List.of() : completer.complete(argName, value, context);
        ObjectNode r = Json.object();
        ObjectNode completion = r.putObject("completion");
        ArrayNode arr = completion.putArray("values");
        values.stream().limit(100).forEach(arr::add);
        completion.put("total", values.size());
        completion.put("hasMore", values.size() > 100);
        return r;
    }

    /**
     * {@code subscriptions/listen}: acknowledges the honoured filter, then forwards matching changes until the
     * client goes away. Every notification carries the subscription id (the request's id).
     */
    private ObjectNode listen(Call call) {
        return dev.mcpwarden.server.backend.Subscriptions.listen(call, capabilities, catalog::addListener,
                catalog::removeListener);
    }

}
