package dev.mcpwarden.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.events.StageTracer;
import dev.mcpwarden.server.pipeline.Position;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** A tracer among the listeners sees each stage's own work, before and after the rest, and the backend's. */
class TracedStagesTest {

    final List<String> seen = new CopyOnWriteArrayList<>();

    final class Recording implements SecurityEventListener, StageTracer {
        @Override
        public Scope enter(Call call, String stage, boolean afterChain) {
            String part = stage + (afterChain ? " after" : " before");
            seen.add("enter " + part);
            return failure -> seen.add("close " + part + (failure == null ? "" : " " + failure.getMessage()));
        }
    }

    static Call call(String tool) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        p.putObject("arguments");
        p.putObject("_meta");
        return new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call", p),
                ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
    }

    McpServer server(SecurityEventListener listener, boolean refuse) {
        return McpServer.builder("s", "1")
                .controls(Controls.builder().insecureWithoutAuthentication().listener(listener).build())
                .stage(Position.Slot.AFTER_AUTHORIZATION, new dev.mcpwarden.server.pipeline.Stage<>() {
                    @Override
                    public tools.jackson.databind.JsonNode apply(Call c,
                            dev.mcpwarden.server.pipeline.Chain<Call, tools.jackson.databind.JsonNode> chain) {
                        if (refuse) {
                            throw Rejection.forbidden("no");
                        }
                        return chain.proceed(c);
                    }

                    @Override
                    public String name() {
                        return "a";
                    }
                })
                .tool(Tool.builder("t").description("t").handler(ctx -> ToolResult.text("ok")).build())
                .build();
    }

    @Test
    void eachStagesWorkBeforeAndAfterTheRestAndTheBackendsAreEnteredAndClosedInOrder() {
        server(new Recording(), false).handle(call("t"));
        assertThat(seen).containsExactly("enter a before", "close a before", "enter backend before",
                "close backend before", "enter a after", "close a after");
    }

    @Test
    void aStageThatRefusesClosesItsPartWithTheRefusal() {
        Throwable t = catchThrowable(() -> server(new Recording(), true).handle(call("t")));
        assertThat(t).isInstanceOf(Rejection.class);
        assertThat(seen).containsExactly("enter a before", "close a before no");
    }

    @Test
    void withoutATracerAmongTheListenersNothingIsWrapped() {
        SecurityEventListener plain = new SecurityEventListener() {
        };
        assertThat(Controls.builder().insecureWithoutAuthentication().listener(plain).build().stageTracer()).isNull();
        assertThat(Controls.builder().insecureWithoutAuthentication().listener(new Recording()).build()
                .stageTracer()).isInstanceOf(Recording.class);
        server(plain, false).handle(call("t"));
        assertThat(seen).isEmpty();
    }
}
