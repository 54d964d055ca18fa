package dev.mcpwarden.client;

import dev.mcpwarden.client.McpClientException.Reason;
import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Newline-delimited JSON-RPC with a child process. One reader thread matches responses to the waiting requests by
 * id and answers the server's requests; another drains stderr, so the child never blocks on a full pipe.
 */
final class StdioClient extends BaseClient {

    private static final int STDERR_LINES = 20;
    private static final int STDERR_LINE_CHARS = 2000;

    private final Process process;
    private final OutputStream stdin;
    private final String commandLine;
    private final Consumer<String> stderr;
    private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrDrain;
    private volatile boolean ended;

    /** Why the reader failed a request: the process ended. Replaced by a message naming the request. */
    private static final class Ended extends IOException {
        private static final long serialVersionUID = 1L;
    }

    StdioClient(McpClient.Builder b) throws McpClientException {
        super(b);
        this.commandLine = String.join(" ", b.command);
        this.stderr = b.stderr;
        ProcessBuilder pb = new ProcessBuilder(b.command).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE);
        if (b.environment != null) {
            pb.environment().clear();
            pb.environment().putAll(b.environment);
        }
        if (b.workingDirectory != null) {
            pb.directory(b.workingDirectory.toFile());
        }
        try {
            this.process = pb.start();
        } catch (IOException e) {
            throw McpClientException.of(Reason.PROCESS_FAILED, "cannot start " + commandLine + ": " + e.getMessage(),
                    e);
        }
        this.stdin = process.getOutputStream();
        Thread.ofVirtual().name("mcp-client-stdout").start(this::readStdout);
        this.stderrDrain = Thread.ofVirtual().name("mcp-client-stderr").start(this::readStderr);
    }

    // ---- the eras: on stdio both are the same framing

    @Override
    Answer sendModern(String method, ObjectNode params) throws McpClientException {
        return send(method, params);
    }

    @Override
    Probe probeModern(String method, ObjectNode params) throws McpClientException {
        if (!method.equals("server/discover")) {
            // Nothing on stdio tells the eras apart, and a 2025 server may answer a request it gets before
            // initialize (the TypeScript SDK 1.x does, ignoring the 2026 _meta). So the era is asked first, with
            // server/discover, which every 2026 server implements: any error means a 2025 server, and the request
            // itself is then sent only in a session.
            Answer d = send("server/discover", modernParams(null));
            if (d.message().get("error") != null) {
                return new Probe(true, d);
            }
        }
        Answer a = send(method, params);
        JsonNode error = a.message().get("error");
        return new Probe(error != null && !modernError(error.path("code").asInt(0)), a);
    }

    @Override
    Answer sendLegacy(String method, ObjectNode params) throws McpClientException {
        return send(method, params);
    }

    @Override
    JsonNode initialize(ObjectNode params) throws McpClientException {
        JsonNode result = resultOf(send("initialize", params), "initialize");
        write(notification("notifications/initialized", null));
        return result;
    }

    @Override
    void sendNotification(Era era, String method, ObjectNode params) throws McpClientException {
        write(notification(method, params));
    }

    // ---- requests

    private Answer send(String method, ObjectNode params) throws McpClientException {
        ObjectNode request = envelope(method, params);
        long id = request.get("id").asLong();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiting.put(id, f);
        try {
            if (ended) {
                throw exited(method);
            }
            write(request);
            return new Answer(f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS), 0);
        } catch (TimeoutException e) {
            cancel(id);
            throw McpClientException.of(Reason.TIMEOUT, commandLine + " did not answer " + method + " within "
                    + shown(requestTimeout) + tail());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof McpClientException m) {
                throw m;
            }
            if (closed) {
                throw McpClientException.of(Reason.CLOSED, "the client is closed");
            }
            throw exited(method);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(id);
            throw McpClientException.of(Reason.INTERRUPTED, "interrupted", e);
        } finally {
            waiting.remove(id);
        }
    }

    /** Tells the server to stop working on a request nobody waits for any more (stdio's cancellation). */
    private void cancel(long id) {
        ObjectNode p = Json.object();
        p.put("requestId", id);
        p.put("reason", "timed out");
        try {
            write(notification("notifications/cancelled", p));
        } catch (McpClientException e) {
            // the process is gone: nothing to cancel
        }
    }

    private McpClientException exited(String method) {
        return McpClientException.of(Reason.PROCESS_FAILED, commandLine + " exited before answering " + method
                + exitStatus() + tail());
    }

    private synchronized void write(JsonNode message) throws McpClientException {
        try {
            stdin.write(Json.standard().bytes(message));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            if (closed) {
                throw McpClientException.of(Reason.CLOSED, "the client is closed", e);
            }
            throw McpClientException.of(Reason.PROCESS_FAILED, commandLine + " stopped reading its input" + tail(),
                    e);
        }
    }

    // ---- the reader threads

    private void readStdout() {
        LineReader lines = new LineReader(process.getInputStream(), maxResponseBytes);
        while (true) {
            String line;
            try {
                line = lines.readLine();
            } catch (LineReader.LineTooLongException e) {
                // whose response it was cannot be known: every waiting request fails rather than wait in vain
                McpClientException tooLarge = McpClientException.of(Reason.RESPONSE_TOO_LARGE, commandLine
                        + " wrote a line larger than " + maxResponseBytes + " bytes");
                // a snapshot: a request sent while this runs is not the one the line answered
                List.copyOf(waiting.values()).forEach(f -> f.completeExceptionally(tooLarge));
                continue;
            } catch (IOException e) {
                break; // the process ended
            }
            if (line == null) {
                break;
            }
            if (line.isBlank()) {
                continue;
            }
            JsonNode m;
            try {
                m = Json.standard().parse(line);
            } catch (JacksonException e) {
                continue; // not ours: a server that logs to stdout
            }
            if (!m.isObject()) {
                continue;
            }
            if (isResponse(m)) {
                JsonNode id = m.get("id");
                CompletableFuture<JsonNode> f = id.isIntegralNumber() ? waiting.get(id.asLong()) : null;
                if (f != null) {
                    f.complete(m);
                }
            } else if (isRequest(m)) {
                Thread.ofVirtual().name("mcp-client-server-request").start(() -> {
                    try {
                        write(answerServerRequest(m));
                    } catch (McpClientException e) {
                        // the reader notices the process ending
                    }
                });
            } else if (isNotification(m)) {
                deliverNotification(m);
            }
        }
        ended = true;
        waiting.values().forEach(f -> f.completeExceptionally(new Ended()));
    }

    private void readStderr() {
        LineReader lines = new LineReader(process.getErrorStream(), maxResponseBytes);
        while (true) {
            String line;
            try {
                line = lines.readLine();
            } catch (LineReader.LineTooLongException e) {
                continue;
            } catch (IOException e) {
                return; // the process ended
            }
            if (line == null) {
                return;
            }
            synchronized (stderrTail) {
                if (stderrTail.size() == STDERR_LINES) {
                    stderrTail.removeFirst();
                }
                stderrTail.addLast(line.length() > STDERR_LINE_CHARS ? line.substring(0, STDERR_LINE_CHARS) + "…"
                        : line);
            }
            try {
                stderr.accept(line);
            } catch (RuntimeException e) {
                // a consumer's bug must not stop the draining, or the child blocks on a full pipe
            }
        }
    }

    private String exitStatus() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                stderrDrain.join(Duration.ofMillis(500)); // its last words explain the exit: let them arrive
                return " (exit status " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private String tail() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; its last stderr lines:\n  " + String.join("\n  ", stderrTail);
        }
    }

    /** Closes stdin and waits; then SIGTERM, then SIGKILL, as the stdio transport's shutdown says. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        McpClientException gone = McpClientException.of(Reason.CLOSED, "the client is closed");
        waiting.values().forEach(f -> f.completeExceptionally(gone));
    }
}
