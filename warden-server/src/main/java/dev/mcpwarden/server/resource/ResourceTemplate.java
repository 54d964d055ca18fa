package dev.mcpwarden.server.resource;

import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.RequestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * A family of resources named by an RFC 6570 level-1 URI template such as {@code test://template/{id}/data}. A
 * variable matches one path segment: it never spans a {@code /}, so a template cannot be tricked into reading
 * another subtree.
 */
public final class ResourceTemplate {

    /** Reads a resource of this template, given the URI and its variables. */
    @FunctionalInterface
    public interface Reader {
        List<ResourceContents> read(String uri, Map<String, String> variables, RequestContext context)
                throws Exception;
    }

    private static final Pattern VAR = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String uriTemplate;
    private final String name;
    private final String description;
    private final String mimeType;
    private final Reader reader;
    private final Pattern matcher;
    private final List<String> variables;

    public ResourceTemplate(String uriTemplate, String name, String description, String mimeType, Reader reader) {
        this.uriTemplate = Objects.requireNonNull(uriTemplate, "uriTemplate");
        this.name = Objects.requireNonNull(name, "name");
        this.description = description;
        this.mimeType = mimeType;
        this.reader = Objects.requireNonNull(reader, "reader");
        StringBuilder regex = new StringBuilder();
        java.util.ArrayList<String> vars = new java.util.ArrayList<>();
        Matcher m = VAR.matcher(uriTemplate);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(uriTemplate.substring(last, m.start())));
            regex.append("([^/?#]+)");
            vars.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(uriTemplate.substring(last)));
        if (vars.isEmpty()) {
            throw new IllegalArgumentException("a resource template needs at least one {variable}: " + uriTemplate);
        }
        this.matcher = Pattern.compile(regex.toString());
        this.variables = List.copyOf(vars);
    }

    public String uriTemplate() {
        return uriTemplate;
    }

    public List<String> variables() {
        return variables;
    }

    public Reader reader() {
        return reader;
    }

    /** The variables when {@code uri} belongs to this template. */
    public Optional<Map<String, String>> match(String uri) {
        Matcher m = matcher.matcher(uri);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < variables.size(); i++) {
            values.put(variables.get(i), m.group(i + 1));
        }
        return Optional.of(values);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("uriTemplate", uriTemplate);
        n.put("name", name);
        if (description != null) {
            n.put("description", description);
        }
        if (mimeType != null) {
            n.put("mimeType", mimeType);
        }
        return n;
    }
}
