package dev.mcpwarden.server.dispatch;

import dev.mcpwarden.core.schema.JsonSchemaValidator;
import dev.mcpwarden.server.prompt.Completer;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.tool.Tool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the server offers: tools, resources, templates, prompts and completers, in registration order (so lists
 * are deterministic). Reads are lock-free snapshots; changes replace the snapshot and notify listeners.
 */
final class Catalog {

    /** A tool with its compiled input schema and, if it declares one, its compiled output schema. */
    public record RegisteredTool(Tool tool, JsonSchemaValidator.Compiled input, JsonSchemaValidator.Compiled output) {
    }

    private final JsonSchemaValidator validator;
    private volatile Map<String, RegisteredTool> tools = Map.of();
    private volatile List<RegisteredTool> toolList = List.of();
    private volatile Map<String, Resource> resources = Map.of();
    private volatile List<ResourceTemplate> templates = List.of();
    private volatile Map<String, Prompt> prompts = Map.of();
    private final Map<String, Completer> completers = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();

    public Catalog(JsonSchemaValidator validator) {
        this.validator = validator;
    }

    public void addListener(ChangeListener l) {
        listeners.add(l);
    }

    public void removeListener(ChangeListener l) {
        listeners.remove(l);
    }

    public void fire(ChangeListener.Kind kind, String uri) {
        for (ChangeListener l : listeners) {
            l.changed(kind, uri);
        }
    }

    public synchronized void addTool(Tool tool) {
        if (tools.containsKey(tool.name())) {
            throw new IllegalArgumentException("a tool named " + tool.name() + " is already registered");
        }
        JsonSchemaValidator.Compiled input;
        JsonSchemaValidator.Compiled output;
        try {
            input = validator.compile(tool.inputSchema());
            output = tool.outputSchema() == null ? null : validator.compile(tool.outputSchema());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tool " + tool.name() + ": " + e.getMessage(), e);
        }
        Map<String, RegisteredTool> next = new LinkedHashMap<>(tools);
        next.put(tool.name(), new RegisteredTool(tool, input, output));
        publishTools(next);
    }

    public synchronized boolean removeTool(String name) {
        if (!tools.containsKey(name)) {
            return false;
        }
        Map<String, RegisteredTool> next = new LinkedHashMap<>(tools);
        next.remove(name);
        publishTools(next);
        return true;
    }

    private void publishTools(Map<String, RegisteredTool> next) {
        tools = java.util.Collections.unmodifiableMap(next);
        toolList = List.copyOf(next.values());
        fire(ChangeListener.Kind.TOOLS, null);
    }

    public RegisteredTool tool(String name) {
        return tools.get(name);
    }

    public List<RegisteredTool> tools() {
        return toolList;
    }

    public synchronized void addResource(Resource r) {
        if (resources.containsKey(r.uri())) {
            throw new IllegalArgumentException("a resource with uri " + r.uri() + " is already registered");
        }
        Map<String, Resource> next = new LinkedHashMap<>(resources);
        next.put(r.uri(), r);
        resources = java.util.Collections.unmodifiableMap(next);
        fire(ChangeListener.Kind.RESOURCES, null);
    }

    public Resource resource(String uri) {
        return resources.get(uri);
    }

    public List<Resource> resources() {
        return List.copyOf(resources.values());
    }

    public synchronized void addTemplate(ResourceTemplate t) {
        List<ResourceTemplate> next = new ArrayList<>(templates);
        next.add(t);
        templates = List.copyOf(next);
        fire(ChangeListener.Kind.RESOURCES, null);
    }

    public List<ResourceTemplate> templates() {
        return templates;
    }

    public synchronized void addPrompt(Prompt p) {
        if (prompts.containsKey(p.name())) {
            throw new IllegalArgumentException("a prompt named " + p.name() + " is already registered");
        }
        Map<String, Prompt> next = new LinkedHashMap<>(prompts);
        next.put(p.name(), p);
        prompts = java.util.Collections.unmodifiableMap(next);
        fire(ChangeListener.Kind.PROMPTS, null);
    }

    public synchronized boolean removePrompt(String name) {
        if (!prompts.containsKey(name)) {
            return false;
        }
        Map<String, Prompt> next = new LinkedHashMap<>(prompts);
        next.remove(name);
        prompts = java.util.Collections.unmodifiableMap(next);
        fire(ChangeListener.Kind.PROMPTS, null);
        return true;
    }

    public Prompt prompt(String name) {
        return prompts.get(name);
    }

    public List<Prompt> prompts() {
        return List.copyOf(prompts.values());
    }

    /** Registers a completer for an argument of a prompt ({@code ref/prompt}) or template ({@code ref/resource}). */
    public void addCompleter(String refType, String ref, String argument, Completer c) {
        completers.put(refType + "\u0000" + ref + "\u0000" + argument, c);
    }

    public Completer completer(String refType, String ref, String argument) {
        return completers.get(refType + "\u0000" + ref + "\u0000" + argument);
    }
}
