package dev.mcpwarden.server.task;

import dev.mcpwarden.core.json.Json;
import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One task as a {@link TaskStore} keeps it: who owns it, where it is, and what it produced. Immutable: every change
 * makes a new record, and a terminal record never changes again (the {@code with} methods return it unchanged).
 * The JSON members are copies, never shared with the caller.
 *
 * @param id             the unguessable task id
 * @param owner          a digest of the principal (issuer, subject, client) and tenant that created it; only it may
 *                       read, update or cancel it. Never the identity in clear: stores keep what they are given
 * @param quota          a digest of what the task counts against in a store's per-owner bounds: issuer, subject and
 *                       tenant (not the client, so registering clients gains nothing), or the network of an
 *                       anonymous caller
 * @param status         where it is
 * @param statusMessage  a message for people, or null
 * @param createdAt      when it was created
 * @param lastUpdatedAt  when it last changed
 * @param ttlMs          how long after its creation it is kept
 * @param pollIntervalMs how often the client is asked to poll
 * @param result         the tool's result once {@code completed}, else null
 * @param error          the JSON-RPC error ({@code code}, {@code message}, {@code data}) once {@code failed}, else null
 * @param inputRequests  the input requests still unanswered, by key (empty unless {@code input_required})
 * @param answers        every input response received so far, by key; a key is never asked again
 */
public record TaskRecord(String id, String owner, String quota, TaskStatus status, String statusMessage,
                         Instant createdAt, Instant lastUpdatedAt, long ttlMs, long pollIntervalMs, ObjectNode result,
                         ObjectNode error, ObjectNode inputRequests, ObjectNode answers) {

    public TaskRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUpdatedAt, "lastUpdatedAt");
        if (ttlMs < 1 || pollIntervalMs < 1) {
            throw new IllegalArgumentException("ttlMs and pollIntervalMs must be positive");
        }
        result = result == null ? null : result.deepCopy();
        error = error == null ? null : error.deepCopy();
        inputRequests = inputRequests == null ? Json.object() : inputRequests.deepCopy();
        answers = answers == null ? Json.object() : answers.deepCopy();
    }

    /** A task that has just started working. */
    public static TaskRecord working(String id, String owner, String quota, Instant now, long ttlMs,
                                     long pollIntervalMs) {
        return new TaskRecord(id, owner, quota, TaskStatus.WORKING, null, now, now, ttlMs, pollIntervalMs, null, null,
                null, null);
    }

    /** When the store may forget it. */
    public Instant expiresAt() {
        return createdAt.plusMillis(ttlMs);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt());
    }

    /** The same task now also waiting for {@code requests} ({@code {key: {method, params}}}). */
    public TaskRecord asking(ObjectNode requests, Instant now) {
        if (status.terminal()) {
            return this;
        }
        ObjectNode pending = inputRequests.deepCopy();
        requests.properties().forEach(e -> {
            if (!answers.has(e.getKey())) {
                pending.set(e.getKey(), e.getValue());
            }
        });
        TaskStatus next = pending.isEmpty() ? TaskStatus.WORKING : TaskStatus.INPUT_REQUIRED;
        return new TaskRecord(id, owner, quota, next, statusMessage, createdAt, now, ttlMs, pollIntervalMs, null, null,
                pending, answers);
    }

    /**
     * The same task with {@code responses} taken in: answers to pending requests move to {@link #answers()}; keys
     * that name no pending request (unknown, or already answered) are ignored. It works again once none is pending.
     */
    public TaskRecord answered(ObjectNode responses, Instant now) {
        if (status.terminal()) {
            return this;
        }
        ObjectNode pending = inputRequests.deepCopy();
        ObjectNode known = answers.deepCopy();
        boolean changed = false;
        for (var e : responses.properties()) {
            if (pending.has(e.getKey())) {
                pending.remove(e.getKey());
                known.set(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (!changed) {
            return this;
        }
        TaskStatus next = pending.isEmpty() ? TaskStatus.WORKING : TaskStatus.INPUT_REQUIRED;
        return new TaskRecord(id, owner, quota, next, statusMessage, createdAt, now, ttlMs, pollIntervalMs, null, null,
                pending, known);
    }

    public TaskRecord completed(ObjectNode toolResult, Instant now) {
        return terminal(TaskStatus.COMPLETED, null, toolResult, null, now);
    }

    public TaskRecord failed(ObjectNode jsonRpcError, String message, Instant now) {
        return terminal(TaskStatus.FAILED, message, null, jsonRpcError, now);
    }

    /**
     * The same task failed because what it produced is not kept (too large for its own bound or its owner's): the
     * error says why, in {@code message}, with code -32603 and no data.
     */
    public TaskRecord notKept(String message, Instant now) {
        ObjectNode e = Json.object();
        e.put("code", dev.mcpwarden.core.jsonrpc.ErrorCodes.INTERNAL_ERROR);
        e.put("message", message);
        return terminal(TaskStatus.FAILED, message, null, e, now);
    }

    public TaskRecord cancelled(Instant now) {
        return terminal(TaskStatus.CANCELLED, "Cancelled by the client", null, null, now);
    }

    private TaskRecord terminal(TaskStatus next, String message, ObjectNode r, ObjectNode e, Instant now) {
        if (status.terminal()) {
            return this;
        }
        return new TaskRecord(id, owner, quota, next, message, createdAt, now, ttlMs, pollIntervalMs, r, e, null,
                answers);
    }

    // ---- the wire

    private ObjectNode task() {
        ObjectNode t = Json.object();
        t.put("taskId", id);
        t.put("status", status.wire());
        if (statusMessage != null) {
            t.put("statusMessage", statusMessage);
        }
        t.put("createdAt", createdAt.toString());
        t.put("lastUpdatedAt", lastUpdatedAt.toString());
        t.put("ttlMs", ttlMs);
        t.put("pollIntervalMs", pollIntervalMs);
        return t;
    }

    /** The {@code CreateTaskResult} of the {@code tools/call} that created it: flat, {@code resultType: task}. */
    public ObjectNode createResult() {
        ObjectNode t = task();
        t.put("resultType", "task");
        return t;
    }

    /** The {@code DetailedTask} that {@code tasks/get} answers: the result or error inlined once terminal. */
    public ObjectNode detailed() {
        ObjectNode t = task();
        t.put("resultType", "complete");
        switch (status) {
            case INPUT_REQUIRED -> t.set("inputRequests", inputRequests.deepCopy());
            case COMPLETED -> t.set("result", result == null ? Json.object() : result.deepCopy());
            case FAILED -> t.set("error", error == null ? Json.object() : error.deepCopy());
            default -> {
            }
        }
        return t;
    }

    /** How many bytes the record takes as stores keep it (its {@link #toStored} text, UTF-8). */
    public long storedBytes() {
        return Json.standard().bytes(toStored()).length;
    }

    // ---- what stores write

    /** The record as one JSON document, for stores that keep text ({@link #fromStored} reads it back). */
    public ObjectNode toStored() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("owner", owner);
        o.put("quota", quota);
        o.put("status", status.wire());
        if (statusMessage != null) {
            o.put("statusMessage", statusMessage);
        }
        o.put("createdAt", createdAt.toString());
        o.put("lastUpdatedAt", lastUpdatedAt.toString());
        o.put("ttlMs", ttlMs);
        o.put("pollIntervalMs", pollIntervalMs);
        if (result != null) {
            o.set("result", result);
        }
        if (error != null) {
            o.set("error", error);
        }
        o.set("inputRequests", inputRequests);
        o.set("answers", answers);
        return o;
    }

    public static TaskRecord fromStored(JsonNode o) {
        return new TaskRecord(o.path("id").asString(), o.path("owner").asString(), o.path("quota").asString(),
                TaskStatus.ofWire(o.path("status").asString()),
                o.hasNonNull("statusMessage") ? o.get("statusMessage").asString() : null,
                Instant.parse(o.path("createdAt").asString()), Instant.parse(o.path("lastUpdatedAt").asString()),
                o.path("ttlMs").asLong(), o.path("pollIntervalMs").asLong(),
                o.get("result") instanceof ObjectNode r ? r : null, o.get("error") instanceof ObjectNode e ? e : null,
                o.get("inputRequests") instanceof ObjectNode i ? i : null,
                o.get("answers") instanceof ObjectNode a ? a : null);
    }
}
