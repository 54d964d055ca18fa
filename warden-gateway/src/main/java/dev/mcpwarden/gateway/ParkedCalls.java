package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.input.InputBroker;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputRequired;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.mcpwarden.core.protocol.MetaKeys;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2026 client on a 2025 upstream. The upstream asks for input with server-to-client requests in the middle of a
 * call; the 2026 client can only be asked with an {@code input_required} result. So the upstream call runs on a
 * thread of its own and is parked here while the client answers: each request the upstream sends becomes an input
 * request of a round, the round's {@code requestState} (sealed by {@link GatewayState}) names the parked call, and the
 * client's {@code inputResponses} on the retry are delivered to the upstream's still-pending requests.
 *
 * <p>Parked calls live in this gateway replica only, at most {@link #MAX_PER_PRINCIPAL} per caller and
 * {@link #MAX_PARKED} in all; a client that does not come back within the round's time has the upstream request
 * cancelled (its thread is interrupted, which makes the client cancel it upstream).
 */
final class ParkedCalls {

    static final int MAX_PARKED = 1024;
    static final int MAX_PER_PRINCIPAL = 16;
    /** Server requests the upstream sends together (within this window) are asked in one round. */
    private static final Duration GATHER = Duration.ofMillis(50);
    private static final int MAX_EVENTS = 64;
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final java.util.concurrent.atomic.AtomicLong GENERATED = new java.util.concurrent.atomic.AtomicLong();

    /** What the parked call tells the round waiting on it. */
    private sealed interface Event {
    }

    private record Asked(String key, String method, ObjectNode params, CompletableFuture<JsonNode> answer)
            implements Event {
    }

    private record Done(JsonNode result) implements Event {
    }

    private record Failed(RuntimeException error) implements Event {
    }

    /** One upstream call waiting for its client. */
    private final class Parked {
        final String id = UUID.randomUUID().toString();
        final String principal;
        final BlockingQueue<Event> events = new ArrayBlockingQueue<>(MAX_EVENTS);
        final Map<String, Asked> open = new LinkedHashMap<>();
        volatile Call current;
        volatile Thread worker;

        Parked(Call call) {
            this.principal = call.principalKey();
            this.current = call;
        }

        /** The upstream's request, asked of the client in a round; blocks the upstream call until answered. */
        JsonNode ask(String method, JsonNode params) throws McpClientException {
            ObjectNode asked = params instanceof ObjectNode o ? o.deepCopy() : Json.object();
            Asked a = new Asked(key(asked), method, asked, new CompletableFuture<>());
            if (!events.offer(a)) {
                throw McpClientException.error(ErrorCodes.INTERNAL_ERROR, "Too many requests in flight", null);
            }
            try {
                return a.answer().get(roundTime.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                abandon(this); // the client never came back: the upstream request is cancelled
                throw McpClientException.error(ErrorCodes.INTERNAL_ERROR, "The client did not answer", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw McpClientException.error(ErrorCodes.INTERNAL_ERROR, "The request was cancelled", null);
            } catch (ExecutionException e) {
                throw McpClientException.error(ErrorCodes.METHOD_NOT_FOUND, "Method not found", null);
            } catch (java.util.concurrent.CancellationException e) {
                throw McpClientException.error(ErrorCodes.INTERNAL_ERROR, "The request was cancelled", null);
            }
        }
    }

    /**
     * The key of an upstream request in the round: the one a Warden upstream names in {@code _meta} (the key its
     * handler would use on the 2026 wire), else one of the gateway's. The {@code _meta} key is not passed on.
     */
    private String key(ObjectNode params) {
        String named = null;
        if (params.get("_meta") instanceof ObjectNode meta) {
            JsonNode k = meta.remove(MetaKeys.INPUT_KEY);
            if (k != null && k.isString() && KEY.matcher(k.asString()).matches()) {
                named = k.asString();
            }
            if (meta.isEmpty()) {
                params.remove("_meta");
            }
        }
        return named != null ? named : "input-" + GENERATED.incrementAndGet();
    }

    /** Sends the request upstream with {@code handler} answering the upstream's requests; returns the result. */
    @FunctionalInterface
    interface Send {
        JsonNode send(ObjectNode params, java.util.function.Supplier<Call> current,
                      dev.mcpwarden.client.McpClient.ServerRequestHandler handler);
    }

    private final Map<String, Parked> parked = new ConcurrentHashMap<>();
    private final GatewayState state;
    private final Duration roundTime;

    /**
     * @param roundTime how long the upstream call waits for the client's next retry, and each round for the
     *                  upstream's next message
     */
    ParkedCalls(GatewayState state, Duration roundTime) {
        this.state = state;
        this.roundTime = roundTime;
    }

    /** How many calls are parked now (for tests and operators). */
    int size() {
        return parked.size();
    }

    /**
     * Serves one round of {@code call}: a first request starts the upstream call, a retry (with the gateway's
     * requestState) answers the parked call's open requests; either way the round ends with the upstream's result,
     * or with {@code input_required} for what the upstream asks next.
     */
    ObjectNode serve(Call call, Upstream up, ObjectNode params, Send send) {
        ObjectNode opened = state.open(call, up);
        Parked p;
        if (opened == null) {
            p = start(call, params, send);
        } else {
            p = parked.get(opened.path("parked").asString(""));
            if (p == null || !p.principal.equals(call.principalKey())) {
                throw McpError.invalidParams("Invalid requestState: the request it continues has ended; send the "
                        + "request again without requestState");
            }
            p.current = call;
            ObjectNode pending = answer(p, call);
            if (pending != null) {
                return round(call, up, p, pending);
            }
        }
        return next(call, up, p);
    }

    private Parked start(Call call, ObjectNode params, Send send) {
        Parked p = new Parked(call);
        synchronized (parked) { // counted and added together, so concurrent first requests cannot pass the bounds
            long mine = parked.values().stream().filter(q -> q.principal.equals(call.principalKey())).count();
            if (mine >= MAX_PER_PRINCIPAL || parked.size() >= MAX_PARKED) {
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "Too many requests are waiting for input; answer or "
                        + "abandon one first");
            }
            parked.put(p.id, p);
        }
        p.worker = Thread.ofVirtual().name("warden-gateway-parked").start(() -> {
            Event outcome;
            try {
                outcome = new Done(send.send(params, () -> p.current, p::ask));
            } catch (RuntimeException e) {
                outcome = new Failed(e);
            }
            if (!p.events.offer(outcome)) {
                abandon(p);
            }
        });
        return p;
    }

    /**
     * Delivers the client's answers to the open requests. Returns the requests still unanswered (a round to ask
     * again), or null when every open request got its answer.
     *
     * @throws McpError -32602 for an answer of the wrong shape
     */
    private ObjectNode answer(Parked p, Call call) {
        JsonNode responses = call.params().get("inputResponses");
        if (responses != null && !responses.isNull() && !responses.isObject()) {
            throw McpError.invalidParams("inputResponses must be an object");
        }
        Map<String, JsonNode> known = new LinkedHashMap<>();
        if (responses != null && responses.isObject()) {
            responses.properties().forEach(e -> known.put(e.getKey(), e.getValue()));
        }
        synchronized (p) {
            Map<String, InputRequest> asked = new LinkedHashMap<>();
            p.open.forEach((k, a) -> asked.put(k, validated(a)));
            InputBroker broker = new InputBroker(known);
            ObjectNode missing = null;
            try {
                broker.resolve(asked);
            } catch (InputRequired r) {
                missing = Json.object();
                for (String k : r.requests().keySet()) {
                    Asked a = p.open.get(k);
                    missing.putObject(k).put("method", a.method()).set("params", a.params());
                }
            }
            for (Map.Entry<String, Asked> e : Map.copyOf(p.open).entrySet()) {
                JsonNode answer = known.get(e.getKey());
                if (answer != null && !answer.isNull()) {
                    p.open.remove(e.getKey());
                    e.getValue().answer().complete(answer);
                }
            }
            return missing;
        }
    }

    /** The shape the runtime checks an answer against, by the method the upstream asked with. */
    private static InputRequest validated(Asked a) {
        return switch (a.method()) {
            case "elicitation/create" -> InputRequest.elicit(a.params().path("message").asString(""), Json.object());
            case "sampling/createMessage" -> new InputRequest.Sample(a.params());
            default -> InputRequest.listRoots();
        };
    }

    /** Waits for what the upstream does next: a result ends the call, requests become a round. */
    private ObjectNode next(Call call, Upstream up, Parked p) {
        Event e;
        try {
            e = p.events.poll(roundTime.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt(); // the client cancelled the request: so is the upstream call
            abandon(p);
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The request was cancelled");
        }
        if (e == null) {
            abandon(p);
            throw UpstreamFailure.of(UpstreamFailure.Kind.TIMEOUT, up.name(), "Upstream " + up.name()
                    + " did not answer within " + roundTime.toSeconds() + " s");
        }
        switch (e) {
            case Done d -> {
                parked.remove(p.id);
                return d.result() instanceof ObjectNode o ? o : Json.object();
            }
            case Failed f -> {
                parked.remove(p.id);
                throw f.error();
            }
            case Asked a -> {
                ObjectNode requests = Json.object();
                String lacking;
                synchronized (p) {
                    lacking = add(p, call, a, requests);
                    try {
                        // requests sent together are asked together, as a 2026 server would in one round
                        for (Event more = p.events.poll(GATHER.toMillis(), TimeUnit.MILLISECONDS); more != null;
                             more = p.events.poll(GATHER.toMillis(), TimeUnit.MILLISECONDS)) {
                            if (more instanceof Asked m) {
                                String l = add(p, call, m, requests);
                                lacking = lacking == null ? l : lacking;
                            } else {
                                requeue(p, more);
                                break;
                            }
                        }
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (requests.isEmpty()) {
                    abandon(p); // nothing the caller can answer: the upstream call is cancelled
                    ObjectNode needed = Json.object();
                    needed.putObject("requiredCapabilities").putObject(lacking);
                    throw new McpError(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY, "Client capability required: "
                            + lacking, needed, 400);
                }
                return round(call, up, p, requests);
            }
        }
    }

    /**
     * Puts an upstream request into the round, or, when the caller did not declare the capability it needs (the
     * gateway's 2025 session declares them all, for every caller), answers it upstream as such a client would:
     * -32601. Returns the capability lacking, or null.
     */
    private static String add(Parked p, Call call, Asked a, ObjectNode requests) {
        String capability = CallRelay.capabilityOf(a.method());
        if (capability == null || !call.clientCapabilities().has(capability)) {
            a.answer().completeExceptionally(new IllegalStateException("capability not declared"));
            return capability == null ? a.method() : capability;
        }
        p.open.put(a.key(), a);
        requests.putObject(a.key()).put("method", a.method()).set("params", a.params());
        return null;
    }

    private void requeue(Parked p, Event e) {
        if (!p.events.offer(e)) {
            abandon(p);
        }
    }

    private ObjectNode round(Call call, Upstream up, Parked p, ObjectNode requests) {
        ObjectNode r = Json.object();
        r.put("resultType", "input_required");
        r.set("inputRequests", requests);
        ObjectNode payload = Json.object().put("parked", p.id);
        r.put("requestState", state.seal(call, up, payload));
        return r;
    }

    /** Forgets a parked call and cancels it upstream. */
    private void abandon(Parked p) {
        if (parked.remove(p.id) != null) {
            Thread w = p.worker;
            if (w != null && w != Thread.currentThread()) {
                w.interrupt();
            }
            synchronized (p) {
                p.open.values().forEach(a -> a.answer().cancel(false));
                p.open.clear();
            }
        }
    }
}
