package dev.mcpwarden.security.guard;

import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.pipeline.Target;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks tool arguments with the guards declared for them before the handler runs. A blocked call is answered
 * with a tool error starting {@code Rejected by input guard}, so the model learns why, and the handler never runs.
 */
public final class InputGuardStage implements Stage<Call, JsonNode> {

    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");

    private final Map<String, Map<String, InputGuard>> guards;

    private InputGuardStage(Map<String, Map<String, InputGuard>> guards) {
        this.guards = guards;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Target target = call.target();
        if (target != null && target.kind() == Target.Kind.TOOL) {
            String tool = target.name();
            Map<String, InputGuard> forTool = guards.get(tool);
            // Authorization, earlier in the recipe, has already answered a tool the caller cannot see as missing.
            if (forTool != null) {
                JsonNode args = target.arguments();
                for (Map.Entry<String, InputGuard> g : forTool.entrySet()) {
                    JsonNode v = args.get(g.getKey());
                    if (v == null || v.isNull() || !v.isString()) {
                        continue; // absent or non-string arguments are the schema's business
                    }
                    if (g.getValue().check(v.asString()) instanceof Verdict.Block block) {
                        SECURITY.warn("input guard blocked {}.{} for subject={}: {} ({})", tool, g.getKey(),
                                call.principal().subject(), block.kind(), block.reason());
                        SecurityEvents.report(call, new ControlEvent.Finding(ControlEvent.Control.INPUT_GUARD,
                                block.kind().name(), "blocked", 1));
                        SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.INPUT_GUARD,
                                "argument '" + g.getKey() + "' " + block.reason()));
                        ObjectNode r = ToolResult.error("Rejected by input guard: argument '" + g.getKey() + "' "
                                + block.reason()).toJson();
                        if (call.modern()) {
                            r.put("resultType", "complete");
                        }
                        return r;
                    }
                }
            }
        }
        return chain.proceed(call);
    }

    @Override
    public String name() {
        return "input-guards";
    }

    /** Declares which guard checks which argument of which tool. */
    public static final class Builder {
        private final Map<String, Map<String, InputGuard>> guards = new HashMap<>();

        public Builder guard(String tool, String argument, InputGuard guard) {
            guards.computeIfAbsent(tool, k -> new HashMap<>()).put(argument, guard);
            return this;
        }

        public InputGuardStage build() {
            Map<String, Map<String, InputGuard>> copy = new HashMap<>();
            guards.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
            return new InputGuardStage(Map.copyOf(copy));
        }
    }
}
