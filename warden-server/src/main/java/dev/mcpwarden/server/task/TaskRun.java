package dev.mcpwarden.server.task;

import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool call the task stage runs as a task, as the handler's context sees it (left on the call under {@link #KEY}).
 * Before the task {@linkplain #started() started}, the call is an ordinary request (its input requests are multi
 * round-trip rounds); after, it runs on its own and asks for input through the task.
 */
public interface TaskRun {

    /** Where the dispatcher finds the run of a call. */
    Call.Attribute<TaskRun> KEY = new Call.Attribute<>("task-run", TaskRun.class);

    /** The most input requests one round of a task asks at once (as a gateway relays a 2026 round). */
    int MAX_INPUT_REQUESTS = 32;
    /** The most times one task asks for input: more than any real tool needs; one asking forever is cut off. */
    int MAX_INPUT_ROUNDS = 16;

    /** Whether the task exists: the client has been answered with its id. */
    boolean started();

    /** Creates the task (durably) and answers the client with it; the handler goes on. Idempotent. */
    void start();

    /**
     * Asks the client through the task: the task shows {@code input_required} with the requests not answered yet,
     * and this blocks until {@code tasks/update} answered them all, the task is cancelled, or it expires. What may be
     * asked is bounded as on the direct path: 1 to {@value #MAX_INPUT_REQUESTS} requests at once, at most
     * {@value #MAX_INPUT_ROUNDS} times per task, only {@code elicitation/create}, {@code sampling/createMessage} and
     * {@code roots/list}, and only what the caller declared it can answer; anything else throws and fails the task.
     */
    InputResponses input(Map<String, InputRequest> requests);

    /**
     * The same on the wire's terms, for a backend relaying another server's task (a gateway): {@code requests} is
     * {@code {key: {method, params}}}, the answer {@code {key: response}} for every key asked.
     */
    ObjectNode input(ObjectNode requests);
}
