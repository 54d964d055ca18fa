package dev.mcpwarden.server;

import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.StageTracer;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** The MCP-level stages and the backend, each part of their own work entered on a {@link StageTracer}. */
final class TracedStages {

    /** The stage whose start and end is the request's own span: not traced as a stage of itself. */
    private static final String EVENTS = "events";
    /**
     * The tasks stage passes every call that is not a task straight on, and a task's own work (creating it,
     * answering tasks/*) is the request span's: two empty spans per request would only cost.
     */
    private static final String TASKS = "tasks";

    private TracedStages() {
    }

    static List<Stage<Call, JsonNode>> wrap(List<Stage<Call, JsonNode>> stages, StageTracer tracer) {
        return stages.stream().map(s -> EVENTS.equals(s.name()) || TASKS.equals(s.name()) ? s : traced(s, tracer))
                .toList();
    }

    static Function<Call, JsonNode> backend(Backend backend, StageTracer tracer) {
        return call -> {
            StageTracer.Scope scope = tracer.enter(call, StageTracer.BACKEND, false);
            try {
                JsonNode result = backend.handle(call);
                scope.close(null);
                return result;
            } catch (RuntimeException e) {
                scope.close(e);
                throw e;
            }
        };
    }

    private static Stage<Call, JsonNode> traced(Stage<Call, JsonNode> stage, StageTracer tracer) {
        return new Stage<>() {
            @Override
            public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
                StageTracer.Scope[] open = {tracer.enter(call, stage.name(), false)};
                try {
                    JsonNode result = stage.apply(call, next -> {
                        open[0].close(null);
                        open[0] = null;
                        try {
                            return chain.proceed(next);
                        } finally {
                            open[0] = tracer.enter(call, stage.name(), true);
                        }
                    });
                    close(open[0], null);
                    return result;
                } catch (RuntimeException e) {
                    close(open[0], e);
                    throw e;
                }
            }

            @Override
            public boolean mayBlock() {
                return stage.mayBlock();
            }

            @Override
            public String name() {
                return stage.name();
            }
        };
    }

    private static void close(StageTracer.Scope scope, RuntimeException failure) {
        if (scope != null) {
            scope.close(failure);
        }
    }
}
