package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.core.schema.JsonSchemaValidator;
import dev.mcpwarden.server.ServerOptions;
import dev.mcpwarden.server.input.StateSealer;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.prompt.Completer;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The runtime's backend: the tools, prompts and resources registered in code, answered by the {@link Dispatcher}.
 * Its definitions are kept as entries rebuilt whenever the catalog changes, so the pipeline's per-request look-ups
 * cost a map read.
 */
public final class LocalBackend implements Backend, Definitions {

    /** Methods the dispatcher answers from memory, whatever the catalog holds. */
    private static final Set<String> IN_MEMORY_METHODS = Set.of("ping", "server/discover", "tools/list",
            "resources/list", "resources/templates/list", "prompts/list");

    private final Catalog catalog;
    private final Dispatcher dispatcher;
    private volatile Map<Target.Kind, Map<String, Entry>> entries;

    /**
     * An empty local backend, to which the server's builder adds what was registered.
     *
     * @param name         the server's name ({@code serverInfo.name})
     * @param version      its version
     * @param title        its title, or null
     * @param instructions what it tells models, or null
     * @param schemas      validates tools' arguments and structured results
     * @param capabilities the capabilities it declares
     */
    public LocalBackend(String name, String version, String title, String instructions, JsonSchemaValidator schemas,
                        ServerOptions options, StateSealer sealer, ObjectNode capabilities) {
        this.catalog = new Catalog(schemas);
        this.dispatcher = new Dispatcher(new ServerIdentity(name, version, title, instructions), catalog, options,
                sealer, capabilities);
        this.entries = snapshot(catalog);
        // Registered first, so every later listener (integrity, subscriptions) already sees the new entries.
        catalog.addListener((kind, uri) -> {
            if (kind != ChangeListener.Kind.RESOURCE_UPDATED) {
                entries = snapshot(catalog);
            }
        });
    }

    private static Map<Target.Kind, Map<String, Entry>> snapshot(Catalog catalog) {
        Map<Target.Kind, Map<String, Entry>> all = new EnumMap<>(Target.Kind.class);
        Map<String, Entry> tools = new LinkedHashMap<>();
        for (Catalog.RegisteredTool t : catalog.tools()) {
            tools.put(t.tool().name(), new Entry(Target.Kind.TOOL, t.tool().name(), t.tool().toJson(),
                    t.tool().requiredScopes()));
        }
        Map<String, Entry> prompts = new LinkedHashMap<>();
        for (Prompt p : catalog.prompts()) {
            prompts.put(p.name(), new Entry(Target.Kind.PROMPT, p.name(), p.toJson(), Set.of()));
        }
        Map<String, Entry> resources = new LinkedHashMap<>();
        for (Resource r : catalog.resources()) {
            resources.put(r.uri(), new Entry(Target.Kind.RESOURCE, r.uri(), r.toJson(), Set.of()));
        }
        Map<String, Entry> templates = new LinkedHashMap<>();
        for (ResourceTemplate t : catalog.templates()) {
            templates.putIfAbsent(t.uriTemplate(), new Entry(Target.Kind.RESOURCE_TEMPLATE, t.uriTemplate(),
                    t.toJson(), Set.of()));
        }
        all.put(Target.Kind.TOOL, java.util.Collections.unmodifiableMap(tools));
        all.put(Target.Kind.PROMPT, java.util.Collections.unmodifiableMap(prompts));
        all.put(Target.Kind.RESOURCE, java.util.Collections.unmodifiableMap(resources));
        all.put(Target.Kind.RESOURCE_TEMPLATE, java.util.Collections.unmodifiableMap(templates));
        return all;
    }

    // ---- what is served, changed at run time

    public void addTool(Tool tool) {
        catalog.addTool(tool);
    }

    /** Whether a tool of that name was there. */
    public boolean removeTool(String name) {
        return catalog.removeTool(name);
    }

    public void addPrompt(Prompt prompt) {
        catalog.addPrompt(prompt);
    }

    /** Whether a prompt of that name was there. */
    public boolean removePrompt(String name) {
        return catalog.removePrompt(name);
    }

    public void addResource(Resource resource) {
        catalog.addResource(resource);
    }

    public void addTemplate(ResourceTemplate template) {
        catalog.addTemplate(template);
    }

    /** Completes argument {@code argument} of a prompt or resource template ({@code refType} "ref/prompt" or "ref/resource"). */
    public void addCompleter(String refType, String ref, String argument, Completer completer) {
        catalog.addCompleter(refType, ref, argument, completer);
    }

    /** Tells the listeners of a change made outside this backend (a tool's own list, a resource's content). */
    public void fire(ChangeListener.Kind kind, String uri) {
        catalog.fire(kind, uri);
    }

    @Override
    public ObjectNode capabilities() {
        return dispatcher.capabilities();
    }

    @Override
    public Definitions definitions() {
        return this;
    }

    @Override
    public JsonNode handle(Call call) {
        return dispatcher.dispatch(call);
    }

    @Override
    public boolean knows(String method, boolean modern) {
        return dispatcher.knows(method, modern);
    }

    @Override
    public ObjectNode initializeResult(ProtocolVersion version) {
        return dispatcher.initializeResult(version);
    }

    @Override
    public boolean answersWithoutBlocking(String method, String target) {
        if (method == null) {
            return false;
        }
        if (IN_MEMORY_METHODS.contains(method)) {
            return true;
        }
        if ("tools/call".equals(method) && target != null) {
            Catalog.RegisteredTool tool = catalog.tool(target);
            return tool != null && tool.tool().nonBlocking();
        }
        return false;
    }

    @Override
    public dev.mcpwarden.server.task.TaskSupport taskSupport(String name) {
        Catalog.RegisteredTool tool = catalog.tool(name);
        return tool == null ? null : tool.tool().taskSupport();
    }

    @Override
    public boolean tasksAfterInput(String name) {
        Catalog.RegisteredTool tool = catalog.tool(name);
        return tool != null && tool.tool().taskAfterInput();
    }

    // ---- Definitions

    @Override
    public List<Entry> list(Target.Kind kind) {
        return new ArrayList<>(entries.get(kind).values());
    }

    @Override
    public Optional<Entry> find(Target.Kind kind, String name) {
        return Optional.ofNullable(entries.get(kind).get(name));
    }

    @Override
    public Optional<Entry> resolveResource(String uri) {
        Entry r = entries.get(Target.Kind.RESOURCE).get(uri);
        if (r != null) {
            return Optional.of(r);
        }
        for (ResourceTemplate t : catalog.templates()) {
            if (t.match(uri).isPresent()) {
                return find(Target.Kind.RESOURCE_TEMPLATE, t.uriTemplate());
            }
        }
        return Optional.empty();
    }

    @Override
    public void addListener(ChangeListener listener) {
        catalog.addListener(listener);
    }

    @Override
    public void removeListener(ChangeListener listener) {
        catalog.removeListener(listener);
    }

}
