package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.NameCollisions;
import dev.mcpwarden.security.integrity.PinCheck;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinFileException;
import dev.mcpwarden.security.integrity.PoisoningFinding;
import dev.mcpwarden.security.integrity.PoisoningScanner;
import dev.mcpwarden.security.integrity.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code warden scan}: connect to an MCP server as a client, list its tools, prompts and resource templates, and
 * print each definition's digest and tool-poisoning findings; compare them with a pin file, and write one.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scan an MCP server's tools, prompts and resource templates for tool poisoning, print their"
                + " digests, compare them with a pin file and write one.",
                "TARGET is an http(s) URL of the MCP endpoint, or, after --, a command that speaks MCP on stdio:",
                "  warden scan https://mcp.example.com/mcp --token \"$TOKEN\"",
                "  warden scan --write-pins warden-pins.json -- node server.js --stdio",
                "Exit status: 0 clean; 1 findings at or above --fail-on, name collisions, or (with --pins) a"
                        + " changed, new or removed definition; 2 usage error or unreadable/unwritable pin file;"
                        + " 3 the server could not be reached or did not speak MCP."})
public final class ScanCommand implements Callable<Integer> {

    /** Nothing at or above the failing severity, no collisions, and the pins (if given) match. */
    public static final int CLEAN = 0;
    /** Findings at or above the failing severity, name collisions, or a pin mismatch. */
    public static final int FINDINGS = 1;
    /** Bad usage, or a pin file that cannot be read or written. */
    public static final int USAGE = 2;
    /** The server could not be reached, refused us, or did not answer like an MCP server. */
    public static final int UNREACHABLE = 3;

    static final String MODERN = "2026-07-28";
    static final String LEGACY = "2025-11-25";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TARGET",
            description = "An http(s):// MCP endpoint URL, or (after --) a command and its arguments.")
    List<String> target;

    @Option(names = "--token", paramLabel = "T", defaultValue = "${env:WARDEN_SCAN_TOKEN}",
            description = "Bearer token for an HTTP server (default: $WARDEN_SCAN_TOKEN).")
    String token;

    @Option(names = "--pins", paramLabel = "FILE", description = "Compare the definitions with this pin file.")
    Path pins;

    @Option(names = "--write-pins", paramLabel = "FILE",
            description = "Write the pin file of the listed definitions (refused when there are findings at or"
                    + " above --fail-on or name collisions, unless --force).")
    Path writePins;

    @Option(names = "--force", description = "Write the pin file even when there are findings or collisions.")
    boolean force;

    @Option(names = "--json", description = "Print the report as JSON instead of a text table.")
    boolean json;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", defaultValue = "HIGH",
            description = "Lowest finding severity that fails the scan: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Severity failOn;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time allowed for each request (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** One scanned definition with its findings and, with --pins, its comparison. */
    record Scanned(Definition definition, List<PoisoningFinding> findings, PinCheck.Entry pin) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 1) {
            err.println("ERROR: --timeout must be at least 1 second, was " + timeoutSeconds);
            return USAGE;
        }
        PinFile pinned = null;
        if (pins != null) {
            try {
                pinned = PinFile.read(pins);
            } catch (NoSuchFileException e) {
                err.println("ERROR: pin file " + pins + " does not exist");
                return USAGE;
            } catch (PinFileException e) {
                err.println("ERROR: " + e.getMessage());
                return USAGE;
            } catch (IOException e) {
                err.println("ERROR: cannot read pin file " + pins + ": " + e.getMessage());
                return USAGE;
            }
        }
        boolean http = target.size() == 1 && target.getFirst().matches("(?i)https?://.+");
        if (!http && target.size() == 1 && target.getFirst().matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            err.println("ERROR: only http:// and https:// URLs are supported, was " + target.getFirst());
            return USAGE;
        }
        if (token != null && !token.isBlank() && !http) {
            err.println("ERROR: --token applies to HTTP servers only");
            return USAGE;
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        List<Definition> definitions = new ArrayList<>();
        String protocol;
        try (Client client = http ? new HttpMcpClient(URI.create(target.getFirst()), token, timeout)
                : new StdioMcpClient(target, timeout)) {
            for (DefinitionKind kind : DefinitionKind.values()) {
                for (JsonNode item : client.list(kind)) {
                    definitions.add(Definition.of(kind, item));
                }
            }
            protocol = client.protocolVersion();
        } catch (ScanException e) {
            err.println("ERROR: " + e.getMessage());
            return UNREACHABLE;
        } catch (IllegalArgumentException e) {
            err.println("ERROR: the server listed a malformed definition: " + e.getMessage());
            return UNREACHABLE;
        }

        Map<Definition, List<PoisoningFinding>> findings = PoisoningScanner.standard().scanAll(definitions);
        List<Scanned> scanned = new ArrayList<>();
        for (Definition d : definitions) {
            scanned.add(new Scanned(d, findings.get(d), pinned == null ? null : PinCheck.compare(pinned, d)));
        }
        List<PinCheck.Entry> removed = pinned == null ? List.of()
                : PinCheck.compare(pinned, definitions).with(PinCheck.Status.REMOVED);
        List<NameCollisions.Collision> collisions = NameCollisions.find(definitions);
        boolean failingFindings = scanned.stream().flatMap(s -> s.findings().stream())
                .anyMatch(f -> f.severity().atLeast(failOn));
        boolean pinMismatch = pinned != null && !PinCheck.compare(pinned, definitions).matches();
        int exit = failingFindings || pinMismatch || !collisions.isEmpty() ? FINDINGS : CLEAN;

        String wrote = null;
        if (writePins != null) {
            if ((failingFindings || !collisions.isEmpty()) && !force) {
                err.println("ERROR: not writing " + writePins + ": there are " + (failingFindings
                        ? "findings at or above " + failOn : "name collisions") + "; review them, or pass --force");
                exit = Math.max(exit, FINDINGS);
            } else {
                try {
                    PinFile.of(definitions).write(writePins);
                    wrote = writePins.toString();
                } catch (IOException | IllegalArgumentException e) {
                    err.println("ERROR: cannot write pin file " + writePins + ": " + e.getMessage());
                    return USAGE;
                }
            }
        }
        if (json) {
            out.println(Json.standard().text(jsonReport(protocol, scanned, removed, collisions, wrote, exit)));
        } else {
            textReport(out, protocol, scanned, removed, collisions, wrote, exit);
        }
        out.flush();
        return exit;
    }

    // ---- reports

    private String describeTarget() {
        return String.join(" ", target);
    }

    private ObjectNode jsonReport(String protocol, List<Scanned> scanned, List<PinCheck.Entry> removed,
                                  List<NameCollisions.Collision> collisions, String wrote, int exit) {
        ObjectNode r = Json.object();
        r.put("target", describeTarget());
        r.put("protocolVersion", protocol);
        ArrayNode defs = r.putArray("definitions");
        for (Scanned s : scanned) {
            ObjectNode d = defs.addObject();
            d.put("kind", s.definition().kind().pinKey());
            d.put("name", s.definition().name());
            d.put("digest", s.definition().digest());
            if (s.pin() != null) {
                d.put("pin", s.pin().status().name());
                if (s.pin().pinned() != null) {
                    d.put("pinnedDigest", s.pin().pinned());
                }
            }
            ArrayNode fs = d.putArray("findings");
            for (PoisoningFinding f : s.findings()) {
                fs.addObject().put("kind", f.kind().name()).put("severity", f.severity().name())
                        .put("location", f.location()).put("excerpt", f.excerpt()).put("message", f.message());
            }
        }
        ArrayNode rem = r.putArray("removed");
        removed.forEach(e -> rem.addObject().put("kind", e.kind().pinKey()).put("name", e.name())
                .put("pinnedDigest", e.pinned()));
        ArrayNode col = r.putArray("collisions");
        for (NameCollisions.Collision c : collisions) {
            ObjectNode o = col.addObject().put("kind", c.kind().pinKey()).put("reason", c.reason().name());
            c.names().forEach(o.putArray("names")::add);
        }
        ObjectNode summary = r.putObject("summary");
        counts(scanned).forEach((k, v) -> summary.put(k, v));
        findingCounts(scanned).forEach((sev, n) -> summary.put(sev.name(), n));
        if (wrote != null) {
            r.put("wrotePins", wrote);
        }
        r.put("exitCode", exit);
        return r;
    }

    private void textReport(PrintWriter out, String protocol, List<Scanned> scanned, List<PinCheck.Entry> removed,
                            List<NameCollisions.Collision> collisions, String wrote, int exit) {
        String shownTarget = describeTarget();
        if (shownTarget.length() > 120) {
            shownTarget = shownTarget.substring(0, 80) + " … " + shownTarget.substring(shownTarget.length() - 36);
        }
        out.println("warden scan " + shownTarget + " (protocol " + protocol + ")");
        boolean withPins = pins != null;
        for (DefinitionKind kind : DefinitionKind.values()) {
            List<Scanned> ofKind = scanned.stream().filter(s -> s.definition().kind() == kind).toList();
            out.println();
            out.println(heading(kind) + " (" + ofKind.size() + ")");
            if (ofKind.isEmpty()) {
                continue;
            }
            int width = Math.min(48, ofKind.stream().mapToInt(s -> shown(s.definition().name()).length()).max()
                    .orElse(4));
            for (Scanned s : ofKind) {
                StringBuilder line = new StringBuilder("  ");
                if (withPins) {
                    line.append(String.format("%-10s ", s.pin().status().name().toLowerCase(Locale.ROOT)));
                }
                line.append(pad(shown(s.definition().name()), width)).append("  ").append(s.definition().digest());
                out.println(line);
                for (PoisoningFinding f : s.findings()) {
                    out.println("      " + pad(f.severity().name(), 8) + " " + f.kind().name() + " at "
                            + (f.location().isEmpty() ? "/" : f.location()) + ": " + f.message());
                    out.println("               \"" + f.excerpt() + "\"");
                }
            }
        }
        if (!removed.isEmpty()) {
            out.println();
            out.println("REMOVED (pinned but not listed)");
            removed.forEach(e -> out.println("  " + e.kind().pinKey() + " " + shown(e.name()) + "  " + e.pinned()));
        }
        if (!collisions.isEmpty()) {
            out.println();
            out.println("NAME COLLISIONS (refused)");
            collisions.forEach(c -> out.println("  " + c));
        }
        out.println();
        Map<String, Integer> counts = counts(scanned);
        StringBuilder summary = new StringBuilder("Summary: ").append(counts.get("tools")).append(" tools, ")
                .append(counts.get("prompts")).append(" prompts, ").append(counts.get("resourceTemplates"))
                .append(" resource templates; findings:");
        Map<Severity, Integer> f = findingCounts(scanned);
        boolean any = false;
        for (Severity s : Severity.values()) {
            if (f.get(s) > 0) {
                summary.append(any ? ", " : " ").append(f.get(s)).append(' ').append(s.name());
                any = true;
            }
        }
        if (!any) {
            summary.append(" none");
        }
        if (withPins) {
            Map<PinCheck.Status, Integer> p = new EnumMap<>(PinCheck.Status.class);
            for (PinCheck.Status st : PinCheck.Status.values()) {
                p.put(st, 0);
            }
            scanned.forEach(s -> p.merge(s.pin().status(), 1, Integer::sum));
            summary.append("; pins: ").append(p.get(PinCheck.Status.UNCHANGED)).append(" unchanged, ")
                    .append(p.get(PinCheck.Status.CHANGED)).append(" changed, ").append(p.get(PinCheck.Status.NEW))
                    .append(" new, ").append(removed.size()).append(" removed");
        }
        out.println(summary);
        if (wrote != null) {
            out.println("Wrote pin file " + wrote);
        }
        out.println(exit == CLEAN ? "Result: clean" : "Result: FAILED (exit " + exit + ")");
    }

    private static String heading(DefinitionKind kind) {
        return switch (kind) {
            case TOOL -> "TOOLS";
            case PROMPT -> "PROMPTS";
            case RESOURCE_TEMPLATE -> "RESOURCE TEMPLATES";
        };
    }

    private static Map<String, Integer> counts(List<Scanned> scanned) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (DefinitionKind k : DefinitionKind.values()) {
            m.put(k.pinKey(), (int) scanned.stream().filter(s -> s.definition().kind() == k).count());
        }
        return m;
    }

    private static Map<Severity, Integer> findingCounts(List<Scanned> scanned) {
        Map<Severity, Integer> m = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            m.put(s, 0);
        }
        scanned.forEach(s -> s.findings().forEach(f -> m.merge(f.severity(), 1, Integer::sum)));
        return m;
    }

    /** A name as printed: anything outside printable ASCII escaped, so look-alikes and invisibles show. */
    private static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                sb.appendCodePoint(cp);
            } else {
                sb.append(cp > 0xFFFF ? String.format("\\u{%X}", cp) : String.format("\\u%04X", cp));
            }
        });
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    // ---- the MCP client side

    /** Why a scan could not talk to the server; the message is printed as is. */
    static final class ScanException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        ScanException(String message) {
            this(message, 0);
        }

        ScanException(String message, int code) {
            super(message);
            this.code = code;
        }

        /** The JSON-RPC error code, when the server answered with one; else 0. */
        int code() {
            return code;
        }
    }

    /** Just enough of an MCP client to list definitions. */
    abstract static class Client implements AutoCloseable {
        private static final int MAX_PAGES = 1000;
        final AtomicLong ids = new AtomicLong();

        /** Sends one request and returns its result, or throws with the server's error. */
        abstract JsonNode request(String method, ObjectNode params) throws ScanException;

        abstract String protocolVersion();

        @Override
        public abstract void close();

        /** Every definition of a kind, following {@code nextCursor}; empty when the server lacks the feature. */
        List<JsonNode> list(DefinitionKind kind) throws ScanException {
            List<JsonNode> items = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            String cursor = null;
            for (int page = 0; page < MAX_PAGES; page++) {
                ObjectNode params = Json.object();
                if (cursor != null) {
                    params.put("cursor", cursor);
                }
                JsonNode result;
                try {
                    result = request(kind.listMethod(), params);
                } catch (ScanException e) {
                    if (e.code() == -32601) {
                        return List.of(); // the server does not offer this feature
                    }
                    throw e;
                }
                JsonNode arr = result.get(kind.listField());
                if (arr == null || !arr.isArray()) {
                    throw new ScanException(kind.listMethod() + " result has no \"" + kind.listField()
                            + "\" array");
                }
                arr.forEach(items::add);
                JsonNode next = result.get("nextCursor");
                if (next == null || next.isNull()) {
                    return items;
                }
                if (!next.isString() || !seen.add(next.asString())) {
                    throw new ScanException(kind.listMethod() + " returned a repeated or malformed nextCursor");
                }
                cursor = next.asString();
            }
            throw new ScanException(kind.listMethod() + " did not end after " + MAX_PAGES + " pages");
        }

        ObjectNode envelope(String method, ObjectNode params) {
            ObjectNode r = Json.object();
            r.put("jsonrpc", "2.0");
            r.put("id", ids.incrementAndGet());
            r.put("method", method);
            if (params != null) {
                r.set("params", params);
            }
            return r;
        }

        static ObjectNode meta() {
            ObjectNode m = Json.object();
            m.put("io.modelcontextprotocol/protocolVersion", MODERN);
            m.set("io.modelcontextprotocol/clientCapabilities", Json.object());
            return m;
        }

        static ObjectNode initializeParams() {
            ObjectNode p = Json.object();
            p.put("protocolVersion", LEGACY);
            p.set("capabilities", Json.object());
            p.putObject("clientInfo").put("name", "warden-scan").put("version", "1");
            return p;
        }

        /**
         * Whether an error to a first, 2026-style request shows that the server understood it as one: the 2026
         * envelope errors (-32020 to -32029) and "method not found" (the server lacks that list). Anything else
         * (no JSON-RPC error, "session required", "unsupported protocol version") means a 2025-only server.
         */
        static boolean modernError(int code) {
            return code <= -32020 && code >= -32029 && code != -32022 || code == -32601;
        }

        /** The result of a JSON-RPC response, or its error as a {@link ScanException}. */
        static JsonNode resultOf(JsonNode response, String method) throws ScanException {
            JsonNode error = response.get("error");
            if (error != null && error.isObject()) {
                int code = error.path("code").asInt(0);
                throw new ScanException(method + " failed: " + error.path("message").asString("(no message)")
                        + " (JSON-RPC error " + code + ")", code);
            }
            JsonNode result = response.get("result");
            if (result == null || !result.isObject()) {
                throw new ScanException(method + " returned neither a result nor an error");
            }
            if ("input_required".equals(result.path("resultType").asString(""))) {
                throw new ScanException(method + " asked for client input, which a scan cannot give");
            }
            return result;
        }
    }

    /** Streamable HTTP: the 2026-07-28 stateless wire first, then a 2025-11-25 session. */
    static final class HttpMcpClient extends Client {
        private final URI endpoint;
        private final String token;
        private final Duration timeout;
        private final HttpClient http;
        private String era; // null until the first request decides
        private String sessionId;
        private String negotiated = LEGACY;

        HttpMcpClient(URI endpoint, String token, Duration timeout) {
            this.endpoint = endpoint;
            this.token = token == null || token.isBlank() ? null : token;
            this.timeout = timeout;
            this.http = HttpClient.newBuilder().connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }

        @Override
        String protocolVersion() {
            return era == null || era.equals(MODERN) ? MODERN : negotiated;
        }

        @Override
        JsonNode request(String method, ObjectNode params) throws ScanException {
            if (era == null) {
                Reply r = post(modernHeaders(method), modernBody(method, params));
                if (fallsBack(r)) {
                    era = LEGACY;
                    initialize();
                    return legacy(method, params);
                }
                era = MODERN;
                return resultOf(r.message(method), method);
            }
            if (era.equals(MODERN)) {
                return resultOf(post(modernHeaders(method), modernBody(method, params)).message(method), method);
            }
            return legacy(method, params);
        }

        /** A 400 (or 404/405) that is not one of the 2026 wire's own errors: the server speaks only 2025. */
        private static boolean fallsBack(Reply r) {
            if (r.status != 400 && r.status != 404 && r.status != 405) {
                return false;
            }
            try {
                JsonNode doc = Json.standard().parse(r.body);
                return !modernError(doc.path("error").path("code").asInt(0));
            } catch (JacksonException e) {
                return true;
            }
        }

        private String modernBody(String method, ObjectNode params) {
            ObjectNode p = params == null ? Json.object() : params.deepCopy();
            ObjectNode meta = p.has("_meta") && p.get("_meta").isObject() ? (ObjectNode) p.get("_meta") : meta();
            meta.setAll(meta());
            p.set("_meta", meta);
            return Json.standard().text(envelope(method, p));
        }

        private Map<String, String> modernHeaders(String method) {
            Map<String, String> h = baseHeaders();
            h.put("MCP-Protocol-Version", MODERN);
            h.put("Mcp-Method", method);
            return h;
        }

        private Map<String, String> baseHeaders() {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/json");
            h.put("Accept", "application/json, text/event-stream");
            if (token != null) {
                h.put("Authorization", "Bearer " + token);
            }
            return h;
        }

        private void initialize() throws ScanException {
            Reply r = post(baseHeaders(), Json.standard().text(envelope("initialize", initializeParams())));
            JsonNode result = resultOf(r.message("initialize"), "initialize");
            sessionId = r.headers.get("mcp-session-id");
            negotiated = result.path("protocolVersion").asString(LEGACY);
            ObjectNode note = Json.object().put("jsonrpc", "2.0").put("method", "notifications/initialized");
            Reply n = post(legacyHeaders(), Json.standard().text(note));
            if (n.status >= 300) {
                throw new ScanException("notifications/initialized was refused with HTTP " + n.status);
            }
        }

        private Map<String, String> legacyHeaders() {
            Map<String, String> h = baseHeaders();
            h.put("MCP-Protocol-Version", negotiated);
            if (sessionId != null) {
                h.put("Mcp-Session-Id", sessionId);
            }
            return h;
        }

        private JsonNode legacy(String method, ObjectNode params) throws ScanException {
            Reply r = post(legacyHeaders(), Json.standard().text(envelope(method, params)));
            return resultOf(r.message(method), method);
        }

        /** One POST; HTTP-level refusals become {@link ScanException}s, except those the caller inspects. */
        private Reply post(Map<String, String> headers, String body) throws ScanException {
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            headers.forEach(b::header);
            HttpResponse<String> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException e) {
                throw new ScanException(endpoint + " did not answer within " + timeout.toSeconds() + "s");
            } catch (ConnectException e) {
                throw new ScanException("cannot connect to " + endpoint + " (connection refused)");
            } catch (IOException e) {
                throw new ScanException("cannot reach " + endpoint + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScanException("interrupted");
            }
            Map<String, String> h = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            Reply reply = new Reply(response.statusCode(), h, response.body() == null ? "" : response.body());
            if (reply.status == 401) {
                throw new ScanException(endpoint + " answered 401 Unauthorized"
                        + (token == null ? ": pass a bearer token with --token" : ": the token was rejected")
                        + (h.containsKey("www-authenticate") ? " (WWW-Authenticate: " + h.get("www-authenticate")
                        + ")" : ""));
            }
            if (reply.status == 403) {
                throw new ScanException(endpoint + " answered 403 Forbidden" + (h.containsKey("www-authenticate")
                        ? " (WWW-Authenticate: " + h.get("www-authenticate") + ")" : ""));
            }
            if (reply.status >= 300 && reply.status < 400) {
                throw new ScanException(endpoint + " redirected (HTTP " + reply.status + " to "
                        + h.getOrDefault("location", "?") + "); scan the final URL");
            }
            if (reply.status >= 500) {
                throw new ScanException(endpoint + " failed with HTTP " + reply.status);
            }
            return reply;
        }

        @Override
        public void close() {
            if (sessionId != null) {
                try {
                    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(timeout).DELETE();
                    legacyHeaders().forEach((k, v) -> {
                        if (!k.equals("Content-Type")) {
                            b.header(k, v);
                        }
                    });
                    http.send(b.build(), HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    // best effort: the server expires the session anyway
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            http.close();
        }

        /** An HTTP reply: status, lower-case headers, body. */
        private record Reply(int status, Map<String, String> headers, String body) {

            /** The JSON-RPC response in the body: plain JSON, or the last response event of an SSE stream. */
            JsonNode message(String method) throws ScanException {
                String type = headers.getOrDefault("content-type", "");
                if (status >= 400 && body.isBlank()) {
                    throw new ScanException(method + " was refused with HTTP " + status);
                }
                try {
                    if (type.startsWith("text/event-stream")) {
                        JsonNode found = null;
                        for (String data : sseData(body)) {
                            JsonNode m = Json.standard().parse(data);
                            if (m.has("id") && (m.has("result") || m.has("error"))) {
                                found = m;
                            }
                        }
                        if (found == null) {
                            throw new ScanException(method + ": the event stream ended without a response");
                        }
                        return found;
                    }
                    JsonNode doc = Json.standard().parse(body);
                    if (!doc.isObject()) {
                        throw new ScanException(method + ": the response is not a JSON-RPC object");
                    }
                    return doc;
                } catch (JacksonException e) {
                    throw new ScanException(method + ": the response (HTTP " + status + ") is not JSON: "
                            + e.getOriginalMessage());
                }
            }

            /** The data of each event of an SSE body (multi-line data joined with newlines). */
            static List<String> sseData(String body) {
                List<String> events = new ArrayList<>();
                StringBuilder data = null;
                for (String line : body.split("\r\n|\n|\r", -1)) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            events.add(data.toString());
                            data = null;
                        }
                    } else if (line.startsWith("data:")) {
                        String v = line.substring(5);
                        v = v.startsWith(" ") ? v.substring(1) : v;
                        data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
                    }
                }
                if (data != null) {
                    events.add(data.toString());
                }
                return events;
            }
        }
    }

    /** Newline-delimited JSON-RPC with a child process: 2026-07-28 {@code _meta} first, else initialize. */
    static final class StdioMcpClient extends Client {
        private final Process process;
        private final OutputStream stdin;
        private final Duration timeout;
        private final Map<Long, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
        private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
        private final String commandLine;
        private String era;
        private String negotiated = LEGACY;

        StdioMcpClient(List<String> command, Duration timeout) throws ScanException {
            this.timeout = timeout;
            this.commandLine = String.join(" ", command);
            try {
                this.process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE)
                        .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE)
                        .start();
            } catch (IOException e) {
                throw new ScanException("cannot start " + commandLine + ": " + e.getMessage());
            }
            this.stdin = process.getOutputStream();
            Thread.ofVirtual().name("scan-stdout").start(this::readStdout);
            Thread.ofVirtual().name("scan-stderr").start(this::readStderr);
        }

        @Override
        String protocolVersion() {
            return era == null || era.equals(MODERN) ? MODERN : negotiated;
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
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
                    if (m.has("method") && m.has("id")) {
                        answerServerRequest(m);
                    } else if (m.has("id") && (m.has("result") || m.has("error"))) {
                        CompletableFuture<JsonNode> f = waiting.remove(m.get("id").asLong(-1));
                        if (f != null) {
                            f.complete(m);
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended; pending requests fail below
            }
            waiting.values().forEach(f -> f.completeExceptionally(new IOException("stdout closed")));
        }

        private void readStderr() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (stderrTail) {
                        if (stderrTail.size() == 20) {
                            stderrTail.removeFirst();
                        }
                        stderrTail.addLast(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        /** The server asked us something (ping, roots): answer ping, refuse the rest. */
        private void answerServerRequest(JsonNode m) {
            ObjectNode reply = Json.object().put("jsonrpc", "2.0");
            reply.set("id", m.get("id"));
            if ("ping".equals(m.path("method").asString(""))) {
                reply.set("result", Json.object());
            } else {
                reply.putObject("error").put("code", -32601).put("message", "Method not found");
            }
            try {
                write(reply);
            } catch (ScanException e) {
                // the reader notices the process ending
            }
        }

        private synchronized void write(JsonNode message) throws ScanException {
            try {
                stdin.write(Json.standard().bytes(message));
                stdin.write('\n');
                stdin.flush();
            } catch (IOException e) {
                throw new ScanException(commandLine + " stopped reading its input" + tail());
            }
        }

        private JsonNode send(String method, ObjectNode params) throws ScanException {
            ObjectNode request = envelope(method, params);
            long id = request.get("id").asLong();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            waiting.put(id, f);
            write(request);
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new ScanException(commandLine + " did not answer " + method + " within "
                        + timeout.toSeconds() + "s" + tail());
            } catch (ExecutionException e) {
                throw new ScanException(commandLine + " exited before answering " + method + exitStatus() + tail());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScanException("interrupted");
            } finally {
                waiting.remove(id);
            }
        }

        @Override
        JsonNode request(String method, ObjectNode params) throws ScanException {
            if (era == null) {
                ObjectNode p = params == null ? Json.object() : params.deepCopy();
                p.set("_meta", meta());
                JsonNode response = send(method, p);
                if (response.has("error")) {
                    if (!modernError(response.path("error").path("code").asInt(0))) {
                        era = LEGACY;
                        initialize();
                        return resultOf(send(method, params), method);
                    }
                }
                era = MODERN;
                return resultOf(response, method);
            }
            if (era.equals(MODERN)) {
                ObjectNode p = params == null ? Json.object() : params.deepCopy();
                p.set("_meta", meta());
                return resultOf(send(method, p), method);
            }
            return resultOf(send(method, params), method);
        }

        private void initialize() throws ScanException {
            JsonNode result = resultOf(send("initialize", initializeParams()), "initialize");
            negotiated = result.path("protocolVersion").asString(LEGACY);
            write(Json.object().put("jsonrpc", "2.0").put("method", "notifications/initialized"));
        }

        private String exitStatus() {
            try {
                if (process.waitFor(2, TimeUnit.SECONDS)) {
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

        @Override
        public void close() {
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
        }
    }

    /** Runs the command on its own (for tests and for embedding without {@code Main}). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new ScanCommand());
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }
}
