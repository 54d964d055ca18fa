package dev.mcpwarden.server.events;

import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The MCP level's first position: each request's paired start and end on the event stream. */
final class EventsStage implements Stage<Call, JsonNode> {

    /** Requests that carry nothing worth a record: liveness and discovery. */
    private static final Set<String> UNRECORDED = Set.of("ping", "server/discover");

    /** The stream a started call's control events go to ({@link SecurityEvents#report}). */
    static final Call.Attribute<SecurityEventListener> STREAM = new Call.Attribute<>("event-stream",
            SecurityEventListener.class);

    /** Set on a call that will end twice (a task): counted down once its first end was recorded. */
    static final Call.Attribute<java.util.concurrent.CountDownLatch> FIRST_END = new Call.Attribute<>("first-end",
            java.util.concurrent.CountDownLatch.class);

    private final SecurityEventListener listener;

    EventsStage(SecurityEventListener listener) {
        this.listener = listener;
    }

    @Override
    public boolean mayBlock() {
        return listener.mayBlock();
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        if (UNRECORDED.contains(call.method())) {
            return chain.proceed(call);
        }
        call.attribute(STREAM, listener);
        listener.requestStarted(call);
        long start = System.nanoTime();
        JsonNode result;
        try {
            result = chain.proceed(call);
        } catch (Rejection r) {
            listener.requestEnded(call, new Ending.Refused(r), System.nanoTime() - start);
            throw r;
        } catch (McpError e) {
            listener.requestEnded(call, new Ending.Failed(e), System.nanoTime() - start);
            throw e;
        } catch (RuntimeException e) {
            listener.requestEnded(call, new Ending.Crashed(e), System.nanoTime() - start);
            throw e;
        }
        listener.requestEnded(call, new Ending.Answered(result), System.nanoTime() - start);
        java.util.concurrent.CountDownLatch first = call.attribute(FIRST_END);
        if (first != null) {
            first.countDown(); // a task's own end may now be recorded, after its creation
        }
        return result;
    }

    @Override
    public String name() {
        return "events";
    }
}
