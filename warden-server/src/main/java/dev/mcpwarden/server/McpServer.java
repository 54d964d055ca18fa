package dev.mcpwarden.server;

import dev.mcpwarden.server.task.InMemoryTaskStore;
import dev.mcpwarden.server.task.TaskOptions;
import dev.mcpwarden.server.task.TaskStage;
import dev.mcpwarden.server.task.TaskStore;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.schema.JsonSchemaValidator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.dispatch.LocalBackend;
import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.pipeline.DefinitionsAware;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.input.StateSealer;
import dev.mcpwarden.server.pipeline.Pipeline;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.prompt.Completer;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.stdio.StdioTransport;
import dev.mcpwarden.server.tool.AnnotatedTools;
import dev.mcpwarden.server.tool.Tool;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An MCP server: what it offers (tools, resources, prompts) and the MCP-level pipeline every request runs
 * through. Serve it over Streamable HTTP with {@link #serveHttp} or over stdio with {@link #serveStdio}; both eras
 * of the protocol are spoken on the same endpoint.
 *
 * <pre>{@code
 * McpServer server = McpServer.builder("hello", "1.0.0")
 *         .tool(Tool.fromRecord("greet", "Greets someone", Greet.class,
 *                 (args, ctx) -> ToolResult.text("Hello, " + args.name() + "!")))
 *         .build();
 * HttpTransport http = server.serveHttp(HttpOptions.loopback(8080));
 * }</pre>
 */
public final class McpServer implements McpService {

    private final LocalBackend local;
    private final Backend backend;
    private final Controls controls;
    private final Pipeline<Call, JsonNode> pipeline;
    private final InstantSource clock;
    private final boolean stagesMayBlock;
    private final TaskStage tasks;

    private McpServer(Builder b) {
        this.clock = b.clock;
        ObjectNode caps = Json.object();
        if (b.logging) {
            caps.putObject("logging");
        }
        if (!b.prompts.isEmpty() || b.forcePrompts) {
            caps.putObject("prompts").put("listChanged", true);
        }
        if (!b.resources.isEmpty() || !b.templates.isEmpty() || b.forceResources) {
            ObjectNode r = caps.putObject("resources");
            r.put("subscribe", true);
            r.put("listChanged", true);
        }
        if (!b.tools.isEmpty() || b.forceTools) {
            caps.putObject("tools").put("listChanged", true);
        }
        if (!b.completers.isEmpty() || !b.prompts.isEmpty()) {
            caps.putObject("completions");
        }
        StateSealer sealer = b.requestStateKey != null
                ? new StateSealer(b.requestStateKey, b.options.requestStateTtl(), clock)
                : StateSealer.random(b.options.requestStateTtl(), clock);
        this.local = new LocalBackend(b.name, b.version, b.title, b.instructions,
                new JsonSchemaValidator(b.schemaLimits), b.options, sealer, caps);
        b.tools.forEach(local::addTool);
        b.resources.forEach(local::addResource);
        b.templates.forEach(local::addTemplate);
        b.prompts.forEach(local::addPrompt);
        b.completers.forEach(c -> local.addCompleter(c.refType, c.ref, c.argument, c.completer));
        if (b.backend != null && !(b.tools.isEmpty() && b.resources.isEmpty() && b.templates.isEmpty()
                && b.prompts.isEmpty())) {
            throw new IllegalStateException("a server with its own backend defines no tools, prompts or resources "
                    + "of its own: the backend does");
        }
        this.backend = b.backend != null ? b.backend : local;
        this.controls = b.controls;
        this.tasks = TaskStage.of(b.taskStore != null ? b.taskStore : new InMemoryTaskStore(clock), b.taskOptions,
                clock, backend);
        if (b.backend == null && (b.taskStore != null
                || b.tools.stream().anyMatch(t -> t.taskSupport() != null))) {
            caps.putObject("extensions").putObject(TaskStage.EXTENSION);
        }
        java.util.Map<Position, List<Stage<Call, JsonNode>>> slots = new java.util.EnumMap<>(Position.class);
        slots.putAll(b.slots);
        slots.put(Position.TASKS, List.of(tasks));
        List<Stage<Call, JsonNode>> stages = (controls != null ? controls : Controls.builder().build())
                .mcpStages(slots);
        Backend terminal = backend;
        dev.mcpwarden.server.events.StageTracer tracer = controls != null ? controls.stageTracer() : null;
        this.pipeline = tracer == null ? Pipeline.ofValues(stages, terminal::handle)
                : Pipeline.ofValues(TracedStages.wrap(stages, tracer), TracedStages.backend(terminal, tracer));
        this.stagesMayBlock = stages.stream().anyMatch(Stage::mayBlock);
        for (Stage<Call, JsonNode> stage : stages) {
            if (stage instanceof DefinitionsAware aware) {
                aware.attach(backend.definitions());
            }
        }
    }

    /** Starts building a server that names itself {@code name} {@code version} in {@code serverInfo}. */
    public static Builder builder(String name, String version) {
        return new Builder(name, version);
    }

    /**
     * Serves this server over Streamable HTTP; the returned transport is already started. When the process is told
     * to stop (SIGTERM, Ctrl+C) it drains: new requests are refused with 503, the calls in flight get their answers
     * (for up to {@link HttpTransport#DEFAULT_SHUTDOWN_GRACE}), then it closes.
     *
     * @throws dev.mcpwarden.server.http.PortInUseException when the port is taken
     */
    public HttpTransport serveHttp(HttpOptions options) {
        HttpTransport t = new HttpTransport(this, options);
        t.start();
        // A plain server told to stop answers the calls in flight instead of cutting them off.
        return t.drainOnShutdown(HttpTransport.DEFAULT_SHUTDOWN_GRACE);
    }

    /** Serves this server over stdio until {@code in} ends. Blocks. */
    public void serveStdio(InputStream in, OutputStream out) {
        new StdioTransport(this, in, out).run();
    }

    /** Adds a tool at run time; subscribed clients are told the list changed. */
    public void addTool(Tool tool) {
        local.addTool(tool);
    }

    public boolean removeTool(String name) {
        return local.removeTool(name);
    }

    public void addPrompt(Prompt prompt) {
        local.addPrompt(prompt);
    }

    public boolean removePrompt(String name) {
        return local.removePrompt(name);
    }

    /** Tells subscribed clients that the tool list changed (for tools whose availability changes outside Warden). */
    public void toolsChanged() {
        local.fire(ChangeListener.Kind.TOOLS, null);
    }

    /** Tells subscribed clients that the prompt list changed. */
    public void promptsChanged() {
        local.fire(ChangeListener.Kind.PROMPTS, null);
    }

    /** Tells clients subscribed to {@code uri} that it changed. */
    public void resourceUpdated(String uri) {
        local.fire(ChangeListener.Kind.RESOURCE_UPDATED, uri);
    }

    /** The logging context key under which every line logged while a request is served names its correlation id. */
    public static final String LOG_CORRELATION_ID = "correlation_id";

    /**
     * Runs one request through the MCP-level pipeline. For transports. Whatever is logged meanwhile on this thread
     * carries the request's correlation id ({@link #LOG_CORRELATION_ID} in the SLF4J MDC), as its audit records do.
     */
    @Override
    public JsonNode handle(Call call) {
        String outer = org.slf4j.MDC.get(LOG_CORRELATION_ID);
        org.slf4j.MDC.put(LOG_CORRELATION_ID, call.correlationId());
        try {
            return pipeline.run(call);
        } finally {
            if (outer == null) {
                org.slf4j.MDC.remove(LOG_CORRELATION_ID);
            } else {
                org.slf4j.MDC.put(LOG_CORRELATION_ID, outer); // a nested call (a gateway's own backend) restores it
            }
        }
    }

    /**
     * Whether a request for {@code method} (naming {@code name}, for {@code tools/call}) can be served without
     * blocking: no stage may block, and the dispatcher answers from memory or the tool promised
     * {@link Tool.Builder#nonBlocking()}. For transports, which then serve it on their I/O thread.
     */
    @Override
    public boolean runsWithoutBlocking(String method, String name) {
        return !stagesMayBlock && !tasks.mayBlockFor(method, name) && backend.answersWithoutBlocking(method, name);
    }

    /** The backend's methods, and on the 2026 wire the tasks extension's. */
    @Override
    public boolean knows(String method, boolean modern) {
        return modern && method != null && TaskStage.METHODS.contains(method) || backend.knows(method, modern);
    }

    /** What answers requests at the end of the pipeline. For transports. */
    @Override
    public Backend backend() {
        return backend;
    }

    /**
     * The security controls installed, at their positions, or null when none were (fine over stdio and in memory;
     * an HTTP transport refuses to start). For transports (authentication, metadata routes).
     */
    @Override
    public Controls controls() {
        return controls;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    private record CompleterEntry(String refType, String ref, String argument, Completer completer) {
    }

    /** Builds a {@link McpServer}. */
    public static final class Builder {
        private final String name;
        private final String version;
        private String title;
        private String instructions;
        private final List<Tool> tools = new ArrayList<>();
        private final List<Resource> resources = new ArrayList<>();
        private final List<ResourceTemplate> templates = new ArrayList<>();
        private final List<Prompt> prompts = new ArrayList<>();
        private final List<CompleterEntry> completers = new ArrayList<>();
        private final java.util.Map<Position, List<Stage<Call, JsonNode>>> slots =
                new java.util.EnumMap<>(Position.class);
        private Controls controls;
        private Backend backend;
        private ServerOptions options = ServerOptions.defaults();
        private JsonSchemaValidator.Limits schemaLimits = JsonSchemaValidator.Limits.defaults();
        private InstantSource clock = InstantSource.system();
        private byte[] requestStateKey;
        private TaskStore taskStore;
        private TaskOptions taskOptions = TaskOptions.defaults();
        private boolean logging = true;
        private boolean forceTools;
        private boolean forcePrompts;
        private boolean forceResources;

        private Builder(String name, String version) {
            this.name = Objects.requireNonNull(name, "name");
            this.version = Objects.requireNonNull(version, "version");
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        /** Guidance for models using this server. */
        public Builder instructions(String instructions) {
            this.instructions = instructions;
            return this;
        }

        public Builder tool(Tool tool) {
            tools.add(tool);
            return this;
        }

        /** Adds every {@link dev.mcpwarden.server.tool.McpTool}-annotated method of {@code target}. */
        public Builder tools(Object target) {
            tools.addAll(AnnotatedTools.of(target));
            return this;
        }

        public Builder resource(Resource resource) {
            resources.add(resource);
            return this;
        }

        public Builder resourceTemplate(ResourceTemplate template) {
            templates.add(template);
            return this;
        }

        public Builder prompt(Prompt prompt) {
            prompts.add(prompt);
            return this;
        }

        /** A completer for an argument of a prompt. */
        public Builder promptCompleter(String prompt, String argument, Completer completer) {
            completers.add(new CompleterEntry("ref/prompt", prompt, argument, completer));
            return this;
        }

        /** A completer for a variable of a resource template. */
        public Builder templateCompleter(String uriTemplate, String variable, Completer completer) {
            completers.add(new CompleterEntry("ref/resource", uriTemplate, variable, completer));
            return this;
        }

        /** Declares the tools capability even before any tool is registered (tools may be added later). */
        public Builder enableTools() {
            forceTools = true;
            return this;
        }

        public Builder enablePrompts() {
            forcePrompts = true;
            return this;
        }

        public Builder enableResources() {
            forceResources = true;
            return this;
        }

        /**
         * Installs the security controls, each at its fixed position of the recipe ({@link Position}): both the
         * HTTP level (authentication) and the MCP level (events, authorization, integrity, rate limit, guards).
         * Serving over HTTP needs them; {@link Controls#insecureWithoutAuthentication()} is the named way to serve
         * without authentication in development.
         */
        public Builder controls(Controls controls) {
            this.controls = Objects.requireNonNull(controls, "controls");
            return this;
        }

        /**
         * Serves requests with {@code backend} instead of tools, prompts and resources registered here (a gateway
         * forwards to upstream servers). The controls apply to it exactly as to local handlers.
         */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * Adds a user stage at a named slot of the recipe. Stages of one slot run in the order they are added: the
         * first added sees the request first and the result last. There is no slot between authentication and
         * authorization.
         */
        public Builder stage(Position.Slot slot, Stage<Call, JsonNode> stage) {
            Objects.requireNonNull(slot, "slot");
            Objects.requireNonNull(stage, "stage");
            slots.computeIfAbsent(slot.position(), k -> new ArrayList<>()).add(stage);
            return this;
        }

        public Builder options(ServerOptions options) {
            this.options = Objects.requireNonNull(options);
            return this;
        }

        public Builder schemaLimits(JsonSchemaValidator.Limits limits) {
            this.schemaLimits = Objects.requireNonNull(limits);
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * The 32-byte key that seals multi round-trip request state. Replicas behind one load balancer must share
         * it; by default each process draws its own.
         */
        public Builder requestStateKey(byte[] key) {
            this.requestStateKey = key.clone();
            return this;
        }

        /**
         * Keeps tasks (tools declared with {@link Tool.Builder#taskSupport}) in {@code store}: one shared by all
         * replicas (Redis) lets a task created on one be read, updated and cancelled on any other. By default they
         * are kept in this process's memory.
         */
        public Builder tasks(TaskStore store) {
            this.taskStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** How long tasks are kept, how often clients poll, how many one principal may run at once. */
        public Builder taskOptions(TaskOptions options) {
            this.taskOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        public McpServer build() {
            return new McpServer(this);
        }
    }
}
