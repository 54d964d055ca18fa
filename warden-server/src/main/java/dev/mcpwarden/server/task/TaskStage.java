package dev.mcpwarden.server.task;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.backend.Backend;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.input.InputBroker;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tasks extension ({@code io.modelcontextprotocol/tasks}) in the pipeline, at {@code TASKS}: after
 * authorization, the rate limit and the input guards (so a task is created only for a call they let through, and
 * counts against the rate limit like any call), and before the output guards and the backend, which run on the task's
 * own thread: what the task keeps as its result has passed the output guards exactly as a direct answer would.
 *
 * <p>It answers {@code tasks/get}, {@code tasks/update} and {@code tasks/cancel} itself, for the task's owner only:
 * any other principal, or the same subject in another tenant, gets exactly the answer for an unknown task, and the
 * attempt is recorded. When a task ends, its call's end is put on the event stream a second time, with the final
 * result, so the audit log records how it ended and not only that it started (also when the store cannot be read
 * then: its status is noted {@code unknown}).
 *
 * <p>What a task keeps is bounded: its input requests as on the direct path ({@link #checkInput}; the output guards
 * have guarded each on its way in, since {@code tasks/get} never passes them), its result or error to
 * {@link TaskOptions#maxResultBytes}, and the stores count each owner's tasks and bytes by {@link #quota}. Owners
 * and quotas are digests: no store keeps who the caller is in clear.
 */
public final class TaskStage implements Stage<Call, JsonNode> {

    private static final Logger LOG = LoggerFactory.getLogger(TaskStage.class);
    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");

    /** The extension's identifier, in capabilities. */
    public static final String EXTENSION = "io.modelcontextprotocol/tasks";
    /** The methods the extension adds (2026 wire only). */
    public static final Set<String> METHODS = Set.of("tasks/get", "tasks/update", "tasks/cancel");
    private static final String MDC_KEY = "correlation_id";

    private final TaskStore store;
    private final TaskOptions options;
    private final InstantSource clock;
    private final Backend backend;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Run> local = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runningByOwner = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService watcher;

    private TaskStage(TaskStore store, TaskOptions options, InstantSource clock, Backend backend) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** Started with the first task, so that servers without tasks have no thread for them. */
    private void watching() {
        if (watcher != null) {
            return;
        }
        synchronized (this) {
            if (watcher == null) {
                ScheduledExecutorService w = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "warden-task-watcher");
                    t.setDaemon(true);
                    return t;
                });
                long every = options.watchInterval().toMillis();
                w.scheduleWithFixedDelay(this::watch, every, every, TimeUnit.MILLISECONDS);
                watcher = w;
            }
        }
    }

    /** The stage for {@code backend}'s task-supporting tools, keeping tasks in {@code store}. */
    public static TaskStage of(TaskStore store, TaskOptions options, InstantSource clock, Backend backend) {
        return new TaskStage(store, options, clock, backend);
    }

    /** Answers from memory except where tasks are involved (see {@link #mayBlockFor}). */
    @Override
    public boolean mayBlock() {
        return false;
    }

    /** Whether serving {@code method} (naming tool {@code name}) may block here: the task methods and task tools. */
    public boolean mayBlockFor(String method, String name) {
        if (method == null) {
            return false; // a request without Mcp-Method: refused before anything runs
        }
        return METHODS.contains(method)
                || "tools/call".equals(method) && name != null && backend.taskSupport(name) != null;
    }

    @Override
    public String name() {
        return "tasks";
    }

    /** Stops watching; running tasks are not waited for. */
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    /** Whether a request declares the extension in its client capabilities. */
    public static boolean declares(Call call) {
        JsonNode ext = call.clientCapabilities().path("extensions").get(EXTENSION);
        return ext != null && !ext.isNull();
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        String method = call.method();
        if (METHODS.contains(method)) {
            if (!call.modern()) {
                throw McpError.methodNotFound(method);
            }
            if (!declares(call)) {
                throw missingExtension(method + " needs the " + EXTENSION + " extension");
            }
            return switch (method) {
                case "tasks/get" -> owned(call, taskId(call)).detailed();
                case "tasks/update" -> update(call);
                default -> cancel(call);
            };
        }
        if ("subscriptions/listen".equals(method) && call.modern()
                && call.params().path("notifications").get("taskIds") != null) {
            return listen(call, chain);
        }
        if (!"tools/call".equals(method) || call.target() == null) {
            return chain.proceed(call);
        }
        String tool = call.target().name();
        TaskSupport support = backend.taskSupport(tool);
        if (support == null) {
            return chain.proceed(call);
        }
        if (!call.modern()) {
            if (support == TaskSupport.REQUIRED) {
                throw new McpError(ErrorCodes.INVALID_REQUEST, "Tool " + tool + " runs only as a task: call it on "
                        + "protocol version 2026-07-28 with the " + EXTENSION + " extension");
            }
            return chain.proceed(call);
        }
        if (!declares(call)) {
            if (support == TaskSupport.REQUIRED) {
                throw missingExtension("Tool " + tool + " runs only as a task: the client must declare the "
                        + EXTENSION + " extension");
            }
            return chain.proceed(call);
        }
        return runAsTask(call, chain, backend.tasksAfterInput(tool));
    }

    private static McpError missingExtension(String message) {
        ObjectNode data = Json.object();
        data.putObject("requiredCapabilities").putObject("extensions").putObject(EXTENSION);
        return new McpError(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY, "Client capability required: " + message,
                data, 400);
    }

    /**
     * Who owns a task: a digest of the principal's key (issuer, subject, client) and its tenant, so a subject's tasks
     * stay in their tenant and no store keeps who the caller is in clear.
     */
    static String owner(Call call) {
        String tenant = call.principal().tenant();
        return digest(call.principalKey() + "\u0000" + (tenant == null ? "" : tenant));
    }

    /**
     * What a task counts against in the stores' per-owner bounds: issuer, subject and tenant, not the client (each
     * dynamically registered client would otherwise get bounds of its own); anonymous callers by their network (an
     * IPv4 address, an IPv6 /64), since they all share one principal.
     */
    static String quota(Call call) {
        var p = call.principal();
        if (dev.mcpwarden.server.auth.Principal.ANONYMOUS.equals(p)) {
            return digest("anonymous\u0000" + network(call.remoteAddress()));
        }
        return digest(p.issuer() + "\u0000" + p.subject() + "\u0000" + (p.tenant() == null ? "" : p.tenant()));
    }

    /** An IPv4 address as it is, an IPv6 address cut to its /64; no address (stdio): "local". */
    static String network(String address) {
        if (address == null || address.isBlank()) {
            return "local";
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        if (!a.matches("[0-9A-Fa-f.:]+")) {
            return "other:" + a; // not an address literal: never looked up
        }
        try {
            java.net.InetAddress ip = java.net.InetAddress.getByName(a); // a literal: parsed, not resolved
            if (ip instanceof java.net.Inet6Address) {
                return "v6:" + java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(ip.getAddress(), 8))
                        + "/64";
            }
            return "v4:" + ip.getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return "other:" + a;
        }
    }

    private static String digest(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static String taskId(Call call) {
        JsonNode id = call.params().get("taskId");
        if (id == null || !id.isString() || id.asString().isEmpty()) {
            throw McpError.invalidParams("Missing or invalid 'taskId': a string is required");
        }
        return id.asString();
    }

    private static McpError unknownTask() {
        return McpError.invalidParams("Unknown task");
    }

    /**
     * The task, when the caller owns it. A task of anyone else is answered exactly like one that does not exist, and
     * the attempt goes on the event stream (the audit record says so) and the security log.
     */
    private TaskRecord owned(Call call, String id) {
        TaskRecord t = read(() -> store.find(id)).orElseThrow(TaskStage::unknownTask);
        if (!t.owner().equals(owner(call))) {
            SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.TASKS,
                    "task owned by another principal"));
            SECURITY.warn("{} asked for a task of another principal; answered as unknown", call.method());
            throw unknownTask();
        }
        return t;
    }

    private <T> T read(java.util.function.Supplier<T> op) {
        try {
            return op.get();
        } catch (McpError | Rejection e) {
            throw e;
        } catch (TaskStore.Full e) {
            throw Rejection.unavailable("Service Unavailable: too many tasks are kept; try again later", 30);
        } catch (RuntimeException e) {
            LOG.warn("the task store failed", e);
            throw Rejection.unavailable("Service Unavailable: the task store cannot be reached", 5);
        }
    }

    private JsonNode update(Call call) {
        String id = taskId(call);
        JsonNode responses = call.params().get("inputResponses");
        if (responses == null || !responses.isObject()) {
            throw McpError.invalidParams("Missing or invalid 'inputResponses': an object is required");
        }
        owned(call, id);
        read(() -> store.update(id, t -> {
            for (var e : responses.properties()) {
                JsonNode asked = t.inputRequests().get(e.getKey());
                if (asked != null) {
                    String problem = InputBroker.problem(asked.path("method").asString(""), e.getValue());
                    if (problem != null) {
                        throw McpError.invalidParams("Invalid input response '" + e.getKey() + "': " + problem);
                    }
                }
            }
            return t.answered((ObjectNode) responses, clock.instant());
        }));
        Run run = local.get(id);
        if (run != null) {
            run.wake();
        }
        return ack();
    }

    private JsonNode cancel(Call call) {
        String id = taskId(call);
        owned(call, id);
        read(() -> store.update(id, t -> t.cancelled(clock.instant())));
        Run run = local.get(id);
        if (run != null) {
            run.call.cancel();
        }
        return ack();
    }

    private static ObjectNode ack() {
        ObjectNode r = Json.object();
        r.put("resultType", "complete");
        return r;
    }

    /** The most task ids one listen follows. */
    static final int MAX_LISTENED = 100;

    /**
     * {@code subscriptions/listen} with {@code notifications.taskIds}: {@code notifications/tasks} (the full
     * {@code DetailedTask}) each time one of the caller's tasks among them changes, until it ends or the client goes.
     * Ids of tasks the caller does not own are left out of the acknowledgement, as unknown ones are.
     */
    private JsonNode listen(Call call, Chain<Call, JsonNode> chain) {
        if (!declares(call)) {
            throw missingExtension("notifications for tasks need the " + EXTENSION + " extension");
        }
        JsonNode ids = call.params().path("notifications").get("taskIds");
        if (!ids.isArray() || ids.size() > MAX_LISTENED) {
            throw McpError.invalidParams("notifications.taskIds must be an array of at most " + MAX_LISTENED
                    + " task ids");
        }
        String owner = owner(call);
        Map<String, String> seen = new ConcurrentHashMap<>();
        tools.jackson.databind.node.ArrayNode honoured = Json.nodes().arrayNode();
        for (JsonNode id : ids) {
            if (!id.isString() || seen.containsKey(id.asString())) {
                continue;
            }
            Optional<TaskRecord> t = read(() -> store.find(id.asString()));
            if (t.isPresent() && t.get().owner().equals(owner)) {
                seen.put(id.asString(), signature(t.get()));
                honoured.add(id.asString());
            } else if (t.isPresent()) {
                SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.TASKS,
                        "task owned by another principal"));
            }
        }
        call.attribute(dev.mcpwarden.server.backend.Subscriptions.TASK_IDS, honoured);
        java.util.concurrent.CountDownLatch acknowledged = new java.util.concurrent.CountDownLatch(1);
        call.attribute(dev.mcpwarden.server.backend.Subscriptions.ACKNOWLEDGED, acknowledged);
        JsonNode subscriptionId = call.request().id();
        Thread follower = Thread.ofVirtual().name("warden-task-notifications").start(() -> {
            try {
                acknowledged.await();
                while (!seen.isEmpty() && !call.cancelled()) {
                    Thread.sleep(options.watchInterval().toMillis());
                    for (String id : List.copyOf(seen.keySet())) {
                        Optional<TaskRecord> t = store.find(id);
                        if (t.isEmpty()) {
                            seen.remove(id);
                            continue;
                        }
                        String now = signature(t.get());
                        if (!now.equals(seen.get(id))) {
                            seen.put(id, now);
                            ObjectNode p = t.get().detailed();
                            p.remove("resultType");
                            p.putObject("_meta").set(dev.mcpwarden.core.protocol.MetaKeys.SUBSCRIPTION_ID,
                                    subscriptionId);
                            call.outbound().notify("notifications/tasks", p);
                        }
                        if (t.get().status().terminal()) {
                            seen.remove(id);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("task notifications stopped: {}", e.getMessage());
            }
        });
        try {
            return chain.proceed(call);
        } finally {
            follower.interrupt();
        }
    }

    private static String signature(TaskRecord t) {
        return t.status().wire() + "\n" + t.lastUpdatedAt() + "\n" + t.inputRequests().size();
    }

    private String newId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private JsonNode runAsTask(Call call, Chain<Call, JsonNode> chain, boolean afterInput) {
        String owner = owner(call);
        AtomicInteger running = runningByOwner.computeIfAbsent(owner, k -> new AtomicInteger());
        if (running.incrementAndGet() > options.maxRunningPerPrincipal()) {
            release(owner, running);
            SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.CONCURRENCY_LIMIT,
                    "running tasks limit " + options.maxRunningPerPrincipal()));
            throw Rejection.rateLimited("running-tasks", Math.max(1, options.pollInterval().toSeconds()));
        }
        Run run = new Run(call, owner, quota(call), running);
        call.attribute(TaskRun.KEY, run);
        try {
            if (!afterInput) {
                run.start();
            }
        } catch (RuntimeException e) {
            release(owner, running);
            throw e;
        }
        Thread.ofVirtual().name("warden-task").start(() -> run.execute(chain));
        try {
            return run.answer.get();
        } catch (InterruptedException e) {
            call.cancel();
            Thread.currentThread().interrupt();
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Request cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "Internal error");
        }
    }

    private void release(String owner, AtomicInteger running) {
        if (running.decrementAndGet() <= 0) {
            runningByOwner.remove(owner, running);
        }
    }

    /** Tells a run what another replica did to its task: cancelled (or expired) stops it, answers wake it. */
    private void watch() {
        for (Run run : local.values()) {
            if (!run.started()) {
                continue;
            }
            try {
                Optional<TaskRecord> t = store.find(run.id);
                if (t.isEmpty() || t.get().status() == TaskStatus.CANCELLED) {
                    run.call.cancel();
                } else if (run.waiting) {
                    run.wake();
                }
            } catch (RuntimeException e) {
                LOG.debug("could not read task {} from the store", run.id, e);
            }
        }
    }

    /** One call run as a task. */
    private final class Run implements TaskRun {
        private final Call call;
        private final String owner;
        private final String quota;
        private final AtomicInteger running;
        private final AtomicInteger rounds = new AtomicInteger();
        /** What the request that created the task is answered: the task, or the call's own outcome. */
        private final CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        private final Semaphore wakeups = new Semaphore(0);
        private volatile String id;
        private volatile boolean waiting;

        Run(Call call, String owner, String quota, AtomicInteger running) {
            this.call = call;
            this.owner = owner;
            this.quota = quota;
            this.running = running;
        }

        @Override
        public boolean started() {
            return id != null;
        }

        @Override
        public synchronized void start() {
            if (id != null) {
                return;
            }
            String taskId = newId();
            TaskRecord t = TaskRecord.working(taskId, owner, quota, clock.instant(), options.ttl().toMillis(),
                    options.pollInterval().toMillis());
            read(() -> {
                store.create(t);
                return null;
            });
            local.put(taskId, this);
            id = taskId;
            watching();
            SecurityEvents.report(call, new ControlEvent.Noted("task", taskId));
            SecurityEvents.endsTwice(call);
            answer.complete(t.createResult());
        }

        void wake() {
            wakeups.release();
        }

        @Override
        public InputResponses input(Map<String, InputRequest> requests) {
            ObjectNode asked = Json.object();
            requests.forEach((k, r) -> {
                ObjectNode o = asked.putObject(k);
                o.put("method", r.method());
                o.set("params", r.params());
            });
            Map<String, JsonNode> got = new LinkedHashMap<>();
            input(asked).properties().forEach(e -> got.put(e.getKey(), e.getValue()));
            return new InputResponses(got);
        }

        @Override
        public ObjectNode input(ObjectNode asked) {
            if (!started()) {
                throw new IllegalStateException("input through a task that has not started");
            }
            checkInput(call, asked, rounds.incrementAndGet());
            waiting = true;
            try {
                boolean askedYet = false;
                while (true) {
                    TaskRecord t = read(() -> store.find(id)).orElseThrow(() -> stopped("expired"));
                    if (t.status().terminal()) {
                        throw stopped(t.status().wire());
                    }
                    ObjectNode got = Json.object();
                    asked.propertyNames().forEach(k -> {
                        if (t.answers().has(k)) {
                            got.set(k, t.answers().get(k));
                        }
                    });
                    if (got.size() == asked.size()) {
                        return got;
                    }
                    if (!askedYet) {
                        read(() -> store.update(id, r -> r.asking(asked, clock.instant())));
                        askedYet = true;
                        continue;
                    }
                    if (call.cancelled()) {
                        throw stopped("cancelled");
                    }
                    wakeups.tryAcquire(options.watchInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw stopped("cancelled");
            } finally {
                waiting = false;
            }
        }

        private McpError stopped(String why) {
            return new McpError(ErrorCodes.INTERNAL_ERROR, "The task stopped waiting for input: " + why);
        }

        /** Runs the rest of the pipeline (output guards, backend) on the task's thread, and keeps how it ended. */
        void execute(Chain<Call, JsonNode> chain) {
            MDC.put(MDC_KEY, call.correlationId());
            long start = System.nanoTime();
            Ending ending = null;
            try {
                JsonNode result = chain.proceed(call);
                if (!started()) {
                    answer.complete(result);
                    return;
                }
                ending = new Ending.Answered(result);
                if (result instanceof ObjectNode r && !"input_required".equals(r.path("resultType").asString(""))) {
                    if (Json.standard().bytes(r).length > options.maxResultBytes()) {
                        finish(t -> t.notKept(resultTooLarge(options.maxResultBytes()), clock.instant()));
                    } else {
                        finish(t -> t.completed(r, clock.instant()));
                    }
                } else {
                    finish(t -> t.failed(error(ErrorCodes.INTERNAL_ERROR, "Internal error", null),
                            "The tool asked for input outside the task", clock.instant()));
                }
            } catch (Rejection r) {
                if (!started()) {
                    answer.completeExceptionally(r);
                    return;
                }
                ending = new Ending.Refused(r);
                failWith(error(r.code(), r.getMessage(), r.data()));
            } catch (McpError e) {
                if (!started()) {
                    answer.completeExceptionally(e);
                    return;
                }
                ending = new Ending.Failed(e);
                failWith(error(e.code(), e.getMessage(), e.data()));
            } catch (RuntimeException e) {
                if (!started()) {
                    answer.completeExceptionally(e);
                    return;
                }
                String errorId = UUID.randomUUID().toString();
                LOG.warn("task {} failed (error id {})", id, errorId, e);
                ending = new Ending.Crashed(e);
                finish(t -> t.failed(error(ErrorCodes.INTERNAL_ERROR, "Internal error (error id " + errorId + ")",
                        null), null, clock.instant()));
            } finally {
                release(owner, running);
                if (id != null) {
                    local.remove(id);
                    ended(ending != null ? ending : new Ending.Crashed(new IllegalStateException("task aborted")),
                            System.nanoTime() - start);
                }
                MDC.remove(MDC_KEY);
            }
        }

        /** Fails the task with {@code error}, unless it is beyond the bound of what a task keeps. */
        private void failWith(ObjectNode error) {
            if (Json.standard().bytes(error).length > options.maxResultBytes()) {
                finish(t -> t.notKept(resultTooLarge(options.maxResultBytes()), clock.instant()));
            } else {
                finish(t -> t.failed(error, null, clock.instant()));
            }
        }

        private void finish(java.util.function.UnaryOperator<TaskRecord> change) {
            try {
                store.update(id, change);
            } catch (RuntimeException e) {
                LOG.error("could not keep how task {} ended", id, e);
            }
        }

        /** The call's second end on the event stream: how the task ended, with its final status noted. */
        private void ended(Ending ending, long nanos) {
            String status;
            try {
                status = store.find(id).map(t -> t.status().wire()).orElse("expired");
            } catch (RuntimeException e) {
                // the store is down: the end is recorded all the same, its status unknown
                LOG.warn("could not read how task {} ended: {}", id, e.toString());
                status = "unknown";
            }
            try {
                SecurityEvents.report(call, new ControlEvent.Noted("task_status", status));
            } catch (RuntimeException e) {
                LOG.error("the status of task {} could not be noted", id, e);
            }
            try {
                SecurityEvents.ended(call, ending, nanos);
            } catch (RuntimeException e) {
                LOG.error("the end of task {} could not be recorded", id, e);
            }
        }
    }

    private static final int MAX_INPUT_REQUESTS = TaskRun.MAX_INPUT_REQUESTS;
    private static final int MAX_INPUT_ROUNDS = TaskRun.MAX_INPUT_ROUNDS;
    /** The longest key of an input request. */
    static final int MAX_INPUT_KEY = 64;
    private static final Map<String, String> INPUT_METHODS = Map.of("elicitation/create", "elicitation",
            "sampling/createMessage", "sampling", "roots/list", "roots");

    /** The message of a task whose result is beyond {@link TaskOptions#maxResultBytes}. */
    static String resultTooLarge(long max) {
        return "The task's result was not kept: it is larger than " + max + " bytes";
    }

    /**
     * What a task may ask for input, whoever asks (its handler, an upstream's task, a 2025 upstream's requests): the
     * bounds the direct path has ({@code MAX_INPUT_REQUESTS} per round, {@code MAX_INPUT_ROUNDS} rounds), the
     * methods a client answers, and only what the caller declared it can answer. Anything else fails the task.
     */
    static void checkInput(Call call, ObjectNode asked, int round) {
        if (round > MAX_INPUT_ROUNDS) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The task asked for input more than " + MAX_INPUT_ROUNDS
                    + " times");
        }
        if (asked.isEmpty() || asked.size() > MAX_INPUT_REQUESTS) {
            throw new McpError(ErrorCodes.INTERNAL_ERROR, "The task asked for input without valid inputRequests "
                    + "(1 to " + MAX_INPUT_REQUESTS + " at once)");
        }
        for (var e : asked.properties()) {
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_INPUT_KEY || !(e.getValue() instanceof ObjectNode r)
                    || r.has("params") && !(r.get("params") instanceof ObjectNode)) {
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "The task asked for input without valid inputRequests "
                        + "(1 to " + MAX_INPUT_REQUESTS + " at once)");
            }
            String capability = INPUT_METHODS.get(r.path("method").asString(""));
            if (capability == null) {
                throw new McpError(ErrorCodes.INTERNAL_ERROR, "The task asked for input by an unknown method");
            }
            if (!call.clientCapabilities().has(capability)) {
                ObjectNode data = Json.object();
                data.putObject("requiredCapabilities").putObject(capability);
                throw new McpError(ErrorCodes.MISSING_REQUIRED_CLIENT_CAPABILITY, "Client capability required: "
                        + capability, data, 400);
            }
        }
    }

    private static ObjectNode error(int code, String message, JsonNode data) {
        ObjectNode e = Json.object();
        e.put("code", code);
        e.put("message", message == null ? "" : message);
        if (data != null && !data.isNull()) {
            e.set("data", data);
        }
        return e;
    }
}
