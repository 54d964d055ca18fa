package dev.mcpwarden.server;

import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.http.JsonRoute;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The security controls of a server, each at its fixed {@link Position} of the recipe: what the security module
 * (or a test) installs with {@link McpServer.Builder#controls}. One value carries both levels, so the HTTP half
 * (authentication, its metadata documents) cannot be installed without the MCP half or forgotten beside it.
 * Positions left empty are skipped; the transport's own HTTP controls (Host/Origin, media types, body limit, strict
 * JSON) are always on.
 */
public final class Controls {

    private static final Controls INSECURE = builder().insecureWithoutAuthentication().build();

    private final Map<Position, Stage<Call, JsonNode>> mcp;
    private final List<SecurityEventListener> listeners;
    private final SecurityEvents events;
    private final Authenticator authenticator;
    private final Map<String, JsonRoute> routes;
    private final Map<String, java.util.function.Supplier<String>> reports;
    private final boolean insecureWithoutAuthentication;

    private Controls(Builder b) {
        this.mcp = Collections.unmodifiableMap(new EnumMap<>(b.mcp));
        this.listeners = List.copyOf(b.listeners);
        this.events = SecurityEvents.of(listeners);
        this.authenticator = b.authenticator;
        this.routes = Map.copyOf(b.routes);
        this.reports = Map.copyOf(b.reports);
        this.insecureWithoutAuthentication = b.insecureWithoutAuthentication;
        if (insecureWithoutAuthentication && authenticator != null) {
            throw new IllegalStateException("controls with an authenticator cannot also be without authentication");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * No security controls at all, and no authentication over HTTP: every caller is anonymous and reaches every
     * tool. A development option with an honest name; the HTTP transport logs a warning when it starts with it.
     * Servers over stdio need no controls (the local user is the only caller).
     */
    public static Controls insecureWithoutAuthentication() {
        return INSECURE;
    }

    /** Whether HTTP requests are deliberately served without authentication. */
    public boolean isInsecureWithoutAuthentication() {
        return insecureWithoutAuthentication;
    }

    /** The MCP-level controls by position. */
    public Map<Position, Stage<Call, JsonNode>> mcp() {
        return mcp;
    }

    /**
     * The listener that also traces the stages' own work ({@link dev.mcpwarden.server.events.StageTracer}), or null
     * when none was installed: then the stages run unwrapped.
     */
    public dev.mcpwarden.server.events.StageTracer stageTracer() {
        for (SecurityEventListener l : listeners) {
            if (l instanceof dev.mcpwarden.server.events.StageTracer t) {
                return t;
            }
        }
        return null;
    }

    /** The event stream: every listener installed, as one. */
    public SecurityEvents events() {
        return events;
    }

    /** Who sent an HTTP request, or null when requests are not authenticated. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** JSON documents served with GET beside the endpoint (protected resource metadata), by path. */
    public Map<String, JsonRoute> routes() {
        return routes;
    }

    /** What these controls report on the readiness endpoint without deciding it (e.g. the issuers' keys). */
    public Map<String, java.util.function.Supplier<String>> reports() {
        return reports;
    }

    /** A builder holding these controls, to add to them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mcp.putAll(mcp);
        b.listeners.addAll(listeners);
        b.authenticator = authenticator;
        b.routes.putAll(routes);
        b.reports.putAll(reports);
        b.insecureWithoutAuthentication = insecureWithoutAuthentication;
        return b;
    }

    /** Builds {@link Controls}; each position takes at most one control. */
    public static final class Builder {
        private final Map<Position, Stage<Call, JsonNode>> mcp = new EnumMap<>(Position.class);
        private final List<SecurityEventListener> listeners = new java.util.ArrayList<>();
        private Authenticator authenticator;
        private final Map<String, JsonRoute> routes = new LinkedHashMap<>();
        private final Map<String, java.util.function.Supplier<String>> reports = new LinkedHashMap<>();
        private boolean insecureWithoutAuthentication;

        private Builder() {
        }

        /**
         * Serves HTTP without authentication (see {@link Controls#insecureWithoutAuthentication()}): without this or
         * an {@link #authenticator}, an HTTP transport refuses to start.
         */
        public Builder insecureWithoutAuthentication() {
            this.insecureWithoutAuthentication = true;
            return this;
        }

        public Builder authorization(Stage<Call, JsonNode> stage) {
            return at(Position.AUTHORIZATION, stage);
        }

        public Builder integrity(Stage<Call, JsonNode> stage) {
            return at(Position.INTEGRITY, stage);
        }

        public Builder rateLimit(Stage<Call, JsonNode> stage) {
            return at(Position.RATE_LIMIT, stage);
        }

        public Builder inputGuards(Stage<Call, JsonNode> stage) {
            return at(Position.INPUT_GUARDS, stage);
        }

        public Builder outputGuards(Stage<Call, JsonNode> stage) {
            return at(Position.OUTPUT_GUARDS, stage);
        }

        private Builder at(Position position, Stage<Call, JsonNode> stage) {
            Objects.requireNonNull(stage, "stage");
            if (mcp.putIfAbsent(position, stage) != null) {
                throw new IllegalStateException("position " + position + " already holds " + mcp.get(position).name());
            }
            return this;
        }

        /**
         * Adds a listener of the event stream (the audit log, metrics, traces): it hears every request's start and
         * end, authentication results, refusals before a call, and sessions. Listeners are called in the order added.
         */
        public Builder listener(SecurityEventListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Every HTTP request must authenticate with this before anything else reads it. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /** Serves a JSON document with GET at {@code path} (e.g. OAuth metadata). */
        /** Reports {@code state} under {@code name} on the readiness endpoint (informs, does not decide readiness). */
        public Builder report(String name, java.util.function.Supplier<String> state) {
            reports.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(state, "state"));
            return this;
        }

        public Builder route(String path, JsonRoute route) {
            routes.put(Objects.requireNonNull(path, "path"), Objects.requireNonNull(route, "route"));
            return this;
        }

        public Controls build() {
            return new Controls(this);
        }
    }

    /** The MCP-level stages in recipe order, with the user's slot stages in their places. */
    List<Stage<Call, JsonNode>> mcpStages(Map<Position, List<Stage<Call, JsonNode>>> slots) {
        Map<Position, List<Stage<Call, JsonNode>>> all = new EnumMap<>(Position.class);
        mcp.forEach((p, s) -> all.put(p, List.of(s)));
        if (!events.isEmpty()) {
            all.put(Position.EVENTS, List.of(events.stage()));
        }
        all.putAll(slots);
        return Position.layout(all, Position.Level.MCP);
    }
}
