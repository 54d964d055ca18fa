package dev.mcpwarden.security.guard;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.pipeline.DefinitionsAware;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import dev.mcpwarden.server.task.TaskRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Guards what the server answers: tool results (also error results), resource contents, prompt messages,
 * completions, JSON-RPC error messages and data, and what a running tool streams (progress and log notifications,
 * elicitation and sampling requests on either wire).
 *
 * <p>Everything is redacted: secrets and personal data by default, less only where a tool is given another redactor
 * (an explicit opt-out). Output written by third parties is <em>untrusted</em>: checked for prompt injection,
 * quarantined when one is detected, and otherwise spotlighted ({@link Spotlighter}) on every channel, as
 * {@link SpotlightConfig} says per tool and per field. What is untrusted is decided per call, without a list of every
 * tool being needed:
 * <ul>
 *   <li>tools named untrusted (or accepted by a predicate, e.g. a gateway's untrusted upstream), and prompts and
 *       resources (URI or URI template) named untrusted;</li>
 *   <li>a definition whose {@code _meta} carries {@value #UNTRUSTED_OUTPUT}: {@code true} for the whole output, or
 *       the fields of {@code structuredContent} that carry third-party data (what
 *       {@code Tool.Builder.untrustedOutput} declares);</li>
 *   <li>fields a tool's {@link SpotlightConfig} declares with a marking other than verbatim;</li>
 *   <li>a result whose own {@code _meta} says {@value #UNTRUSTED_META}: the handler knows where its data came from.</li>
 * </ul>
 * Findings (kinds and counts, never values) go to the event stream ({@link ControlEvent.Finding}).
 */
public final class OutputGuardStage implements Stage<Call, JsonNode>, DefinitionsAware {

    /** Redaction runs in memory; injection detection may call a remote classifier. */
    @Override
    public boolean mayBlock() {
        return detector.mayBlock();
    }


    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    static final String QUARANTINED = "[QUARANTINED] This tool's output was withheld because it appears to contain "
            + "instructions aimed at the model (a prompt injection).";
    static final String QUARANTINED_ERROR = "[QUARANTINED] This error was withheld because it appears to contain "
            + "instructions aimed at the model (a prompt injection).";

    /** Set in a result's {@code _meta} when its structured content came from an untrusted source. */
    public static final String UNTRUSTED_META = "dev.mcpwarden/untrusted-content";
    /** In a definition's {@code _meta}: {@code true}, or the fields of its output that third parties write. */
    public static final String UNTRUSTED_OUTPUT = Tool.UNTRUSTED_OUTPUT_META;

    private final Redactor defaultRedactor;
    private final Map<String, Redactor> perTool;
    private final java.util.function.Predicate<String> untrusted;
    private final Set<String> untrustedPrompts;
    private final Set<String> untrustedResources;
    private final PromptInjectionDetector detector;
    private final Spotlighter spotlighter;
    private final SpotlightConfig spotlighting;
    private final Map<String, SpotlightConfig> toolSpotlighting;
    private final List<Rule> defaultRules;
    private final Map<String, List<Rule>> toolRules;
    private volatile Definitions definitions;

    /** A field rule of a {@link SpotlightConfig}, parsed once. */
    private record Rule(FieldPattern pattern, Marking marking) {
        static List<Rule> of(SpotlightConfig spot) {
            List<Rule> rules = new ArrayList<>();
            spot.fields().forEach((f, m) -> rules.add(new Rule(FieldPattern.parse(f), m)));
            return List.copyOf(rules);
        }
    }

    private OutputGuardStage(Builder b) {
        this.defaultRedactor = b.defaultRedactor;
        this.perTool = Map.copyOf(b.perTool);
        Set<String> named = Set.copyOf(b.untrusted);
        java.util.function.Predicate<String> u = named::contains;
        for (java.util.function.Predicate<String> p : b.untrustedWhere) {
            u = u.or(p);
        }
        this.untrusted = u;
        this.untrustedPrompts = Set.copyOf(b.untrustedPrompts);
        this.untrustedResources = Set.copyOf(b.untrustedResources);
        this.detector = b.detector;
        this.spotlighter = b.spotlighter;
        this.spotlighting = b.spotlighting != null ? b.spotlighting
                : new SpotlightConfig(b.spotlighter.mode(), Marking.DATAMARK, Map.of());
        this.toolSpotlighting = Map.copyOf(b.toolSpotlighting);
        this.defaultRules = Rule.of(spotlighting);
        Map<String, List<Rule>> rules = new HashMap<>();
        toolSpotlighting.forEach((tool, spot) -> rules.put(tool, Rule.of(spot)));
        this.toolRules = Map.copyOf(rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads the definitions' {@code _meta} declarations of untrusted output. */
    @Override
    public void attach(Definitions definitions) {
        this.definitions = definitions;
    }

    /** The detector told the names of the tools served now, kept while they stay the same. */
    private record Told(List<String> names, PromptInjectionDetector detector) {
    }

    private volatile Told told;

    /**
     * The detector, knowing this server's live tools: an order to call one of them ("rufe get_customer auf") is
     * coercion, where an unknown name would be only a weak signal.
     */
    /**
     * The most one detection reads of an untrusted output: its first {@value #SCAN_HEAD} and last
     * {@value #SCAN_TAIL} characters. The heuristic detector costs seconds of CPU per MiB, and one 4 MiB result
     * must not cost a core seconds; what lies between is not read, and is datamarked instead of delimited
     * ({@link #textMode}), so instructions there reach the model as marked data.
     */
    static final int SCAN_HEAD = 192 * 1024;
    static final int SCAN_TAIL = 64 * 1024;
    /** The signal of a detection that left the middle of an oversized text unread. */
    static final String UNSCANNED = "unscanned-middle";

    private Detection detect(String text) {
        if (text.length() <= SCAN_HEAD + SCAN_TAIL) {
            return detector().detect(text);
        }
        Detection d = detector().detect(text.substring(0, SCAN_HEAD) + "\n"
                + text.substring(text.length() - SCAN_TAIL));
        List<String> signals = new ArrayList<>(d.signals());
        signals.add(UNSCANNED);
        return new Detection(d.attack(), d.score(), signals);
    }

    /** The text marking configured, made datamarking where a detection could not read the whole text. */
    static Spotlighter.Mode textMode(Spotlighter.Mode configured, Detection d) {
        return configured == Spotlighter.Mode.DELIMIT && d.signals().contains(UNSCANNED)
                ? Spotlighter.Mode.DATAMARK : configured;
    }

    /** The same for untrusted structured strings: delimited ones are datamarked where the text was not read whole. */
    static Marking structuredMarking(Marking configured, Detection d) {
        return configured == Marking.DELIMIT && d.signals().contains(UNSCANNED) ? Marking.DATAMARK : configured;
    }

    private PromptInjectionDetector detector() {
        Definitions d = definitions;
        if (d == null) {
            return detector;
        }
        List<String> names = d.list(Target.Kind.TOOL).stream().map(Definitions.Entry::name).toList();
        Told t = told;
        if (t == null || !t.names().equals(names)) {
            t = new Told(names, detector.forTools(names));
            told = t;
        }
        return t.detector();
    }

    private static final ControlEvent QUARANTINE_FINDING = new ControlEvent.Finding(ControlEvent.Control.OUTPUT_GUARD,
            "PROMPT_INJECTION", "quarantined", 1);

    /**
     * What of an answer third parties wrote.
     *
     * @param whole    all of it
     * @param declared fields of structured content declared third-party data (marked as the source's default)
     */
    private record Trust(boolean whole, List<FieldPattern> declared) {
        static final Trust NONE = new Trust(false, List.of());

        boolean any() {
            return whole || !declared.isEmpty();
        }
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Target target = call.target();
        if (target == null) {
            return chain.proceed(call);
        }
        return switch (call.method()) {
            case "tools/call" -> tool(call, chain, target.name());
            case "prompts/get", "resources/read", "completion/complete" -> other(call, chain, target);
            default -> chain.proceed(call);
        };
    }

    private JsonNode tool(Call call, Chain<Call, JsonNode> chain, String tool) {
        Redactor redactor = perTool.getOrDefault(tool, defaultRedactor);
        SpotlightConfig spot = toolSpotlighting.getOrDefault(tool, spotlighting);
        Trust declared = toolTrust(tool, spot);
        call.decorateOutbound(out -> new GuardedOutbound(out, tool, redactor, call, declared, spot));
        TaskRun task = call.attribute(TaskRun.KEY);
        if (task != null && !(task instanceof GuardedTaskRun)) {
            // a task's input requests are kept in the task store and handed back by tasks/get, which never passes
            // here: they are guarded on their way in, as the same requests would be on the client's stream
            call.attribute(TaskRun.KEY, new GuardedTaskRun(task, tool, redactor, call, declared, spot));
        }
        JsonNode result;
        try {
            result = chain.proceed(call);
        } catch (McpError e) {
            throw guardError(e, tool, redactor, call, declared, spot);
        }
        if (result instanceof ObjectNode o && o.get("inputRequests") instanceof ObjectNode requests) {
            // 2026 wire: the handler's elicitation and sampling requests travel in the result; guard them like the
            // 2025 wire's server-to-client requests (the sealed requestState beside them is left alone).
            ObjectNode guarded = guardStreamed(requests, tool, redactor, call, "request to the client", false,
                    declared, spot);
            if (guarded == null) {
                return quarantinedResult(o); // a request carrying an injection is not sent at all
            }
            o.set("inputRequests", guarded);
            return o;
        }
        if (!(result instanceof ObjectNode) || !result.has("content")) {
            return result;
        }
        Trust trust = declared.whole() || !untrustedMeta(result) ? declared : new Trust(true, declared.declared());
        // The result is this call's own; share what needs no redaction unless the untrusted path rewrites it.
        Redaction redaction = trust.any() ? redactor.redact(result) : redactor.redactShared(result);
        note(call, tool, redaction, "result");
        ObjectNode out = (ObjectNode) redaction.result();
        if (trust.any()) {
            return untrusted(tool, out, call, trust, spot);
        }
        return out;
    }

    /** Resources, prompts and completions: redacted, and checked and spotlighted where their source is untrusted. */
    private JsonNode other(Call call, Chain<Call, JsonNode> chain, Target target) {
        String what = target.label();
        Trust trust = switch (target.kind()) {
            case PROMPT -> untrustedPrompts.contains(target.name()) || flagged(Target.Kind.PROMPT, target.name())
                    ? new Trust(true, List.of()) : Trust.NONE;
            case RESOURCE -> resourceTrust(target.name());
            case RESOURCE_TEMPLATE -> untrustedResources.contains(target.name())
                    || flagged(Target.Kind.RESOURCE_TEMPLATE, target.name()) ? new Trust(true, List.of()) : Trust.NONE;
            case TOOL -> Trust.NONE;
        };
        JsonNode result;
        try {
            result = chain.proceed(call);
        } catch (McpError e) {
            throw guardError(e, what, defaultRedactor, call, trust, spotlighting);
        }
        if (!(result instanceof ObjectNode)) {
            return result;
        }
        Redaction redaction = trust.any() ? defaultRedactor.redact(result) : defaultRedactor.redactShared(result);
        note(call, what, redaction, call.method() + " result");
        ObjectNode out = (ObjectNode) redaction.result();
        if (!trust.any()) {
            return out;
        }
        Detection d = detect(allText(out));
        Spotlighter text = spotlighter.withMode(textMode(spotlighting.text(), d));
        switch (call.method()) {
            case "resources/read" -> {
                for (JsonNode c : out.path("contents")) {
                    if (c instanceof ObjectNode o && o.get("text") instanceof JsonNode t && t.isString()) {
                        o.put("text", d.attack() ? QUARANTINED : text.wrap(t.asString()).withGuidance());
                    }
                }
            }
            case "prompts/get" -> {
                for (JsonNode m : out.path("messages")) {
                    if (m instanceof ObjectNode o) {
                        markText(o.get("content"), text, d.attack());
                    }
                }
                if (out.get("description") instanceof JsonNode t && t.isString()) {
                    out.put("description", d.attack() ? QUARANTINED : text.wrap(t.asString()).text());
                }
            }
            default -> {
                // Completion values are argument values the client inserts, not text for the model: marking would
                // change them, so they are only redacted and, when an injection is detected, withheld.
                if (d.attack() && out.get("completion") instanceof ObjectNode c) {
                    c.putArray("values");
                    c.put("total", 0);
                    c.put("hasMore", false);
                }
            }
        }
        if (d.attack()) {
            quarantined(call, what, d);
        }
        return out;
    }

    /** A content block's text (or an embedded resource's) marked, or quarantined. */
    private static void markText(JsonNode block, Spotlighter text, boolean quarantine) {
        if (!(block instanceof ObjectNode o)) {
            return;
        }
        String type = o.path("type").asString("");
        if ("text".equals(type) && o.get("text") instanceof JsonNode t && t.isString()) {
            o.put("text", quarantine ? QUARANTINED : text.wrap(t.asString()).withGuidance());
        } else if ("resource".equals(type) && o.get("resource") instanceof ObjectNode r
                && r.get("text") instanceof JsonNode t && t.isString()) {
            r.put("text", quarantine ? QUARANTINED : text.wrap(t.asString()).withGuidance());
        }
    }

    private static void quarantined(Call call, String what, Detection d) {
        SECURITY.warn("prompt injection detected in the output of {}; quarantined (signals {})", what, d.signals());
        SecurityEvents.report(call, QUARANTINE_FINDING);
    }

    /** A JSON-RPC error of the backend, redacted, and spotlighted or withheld where its source is untrusted. */
    private McpError guardError(McpError e, String what, Redactor redactor, Call call, Trust trust,
                                SpotlightConfig spot) {
        if (e instanceof Withheld) {
            return e;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        Redactor.RedactedText m = redactor.redactText(message);
        Redaction data = e.data() == null ? null : redactor.redact(e.data());
        List<Finding> findings = new ArrayList<>();
        m.kinds().forEach(k -> findings.add(new Finding(k, "/error/message")));
        if (data != null) {
            findings.addAll(data.findings());
        }
        note(call, what, new Redaction(Json.object(), findings), "error");
        if (!trust.any()) {
            return findings.isEmpty() ? e
                    : new McpError(e.code(), m.text(), data == null ? null : data.result(), e.httpStatus());
        }
        StringBuilder all = new StringBuilder(m.text()).append('\n');
        collect(data == null ? null : data.result(), all);
        Detection d = detect(all.toString());
        if (d.attack()) {
            quarantined(call, what, d);
            return new McpError(e.code(), QUARANTINED_ERROR, null, e.httpStatus());
        }
        JsonNode marked = data == null ? null : data.result();
        if (marked != null) {
            marked = markStrings(marked, spotlighter, structuredMarking(spot.structured(), d));
        }
        return new McpError(e.code(), spotlighter.withMode(textMode(spot.text(), d)).wrap(m.text()).withGuidance(),
                marked,
                e.httpStatus());
    }

    private Trust toolTrust(String tool, SpotlightConfig spot) {
        boolean whole = untrusted.test(tool);
        List<FieldPattern> declared = new ArrayList<>(0);
        JsonNode flag = definitionFlag(Target.Kind.TOOL, tool);
        if (flag != null && flag.isBoolean() && flag.asBoolean()) {
            whole = true;
        } else if (flag != null && flag.isArray()) {
            for (JsonNode f : flag) {
                try {
                    declared.add(FieldPattern.parse(f.asString("")));
                } catch (IllegalArgumentException e) {
                    whole = true; // a declaration that cannot be read: the safe reading is all of it
                }
            }
        }
        for (Rule r : toolRules.getOrDefault(tool, defaultRules)) {
            if (r.marking() != Marking.VERBATIM) {
                declared.add(r.pattern());
            }
        }
        return whole || !declared.isEmpty() ? new Trust(whole, List.copyOf(declared)) : Trust.NONE;
    }

    private Trust resourceTrust(String uri) {
        if (untrustedResources.contains(uri)) {
            return new Trust(true, List.of());
        }
        Definitions d = definitions;
        if (d == null) {
            return Trust.NONE;
        }
        Optional<Definitions.Entry> entry = d.resolveResource(uri);
        if (entry.isPresent() && (untrustedResources.contains(entry.get().name())
                || isTrue(entry.get().json().path("_meta").get(UNTRUSTED_OUTPUT)))) {
            return new Trust(true, List.of());
        }
        return Trust.NONE;
    }

    private boolean flagged(Target.Kind kind, String name) {
        return isTrue(definitionFlag(kind, name));
    }

    private static boolean isTrue(JsonNode flag) {
        return flag != null && (flag.isBoolean() ? flag.asBoolean() : flag.isArray());
    }

    /** The {@value #UNTRUSTED_OUTPUT} member of a definition's {@code _meta}, or null. */
    private JsonNode definitionFlag(Target.Kind kind, String name) {
        Definitions d = definitions;
        if (d == null) {
            return null;
        }
        return d.find(kind, name).map(e -> e.json().path("_meta").get(UNTRUSTED_OUTPUT)).orElse(null);
    }

    private static boolean untrustedMeta(JsonNode result) {
        return result.path("_meta").path(UNTRUSTED_META).asBoolean(false);
    }

    private static void note(Call call, String tool, Redaction redaction, String where) {
        if (redaction.findings().isEmpty()) {
            return;
        }
        Map<String, Integer> counts = new java.util.TreeMap<>();
        redaction.findings().forEach(f -> counts.merge(f.kind().name(), 1, Integer::sum));
        SECURITY.info("output guard redacted {} finding(s) from the {} of {}: {}", redaction.findings().size(), where,
                tool, counts.keySet());
        counts.forEach((kind, n) -> SecurityEvents.report(call,
                new ControlEvent.Finding(ControlEvent.Control.OUTPUT_GUARD, kind, "redacted", n)));
    }

    /** The guard's own refusal of a request to the client: passed on as it is, not guarded again. */
    private static final class Withheld extends McpError {
        Withheld() {
            super(dev.mcpwarden.core.jsonrpc.ErrorCodes.INTERNAL_ERROR,
                    "Request to the client withheld: it appears to contain a prompt injection");
        }
    }

    /** Streams a running tool's notifications and requests through the same guards as its result. */
    private final class GuardedOutbound implements Outbound {
        private final Outbound delegate;
        private final String tool;
        private final Redactor redactor;
        private final Call call;
        private final Trust trust;
        private final SpotlightConfig spot;

        GuardedOutbound(Outbound delegate, String tool, Redactor redactor, Call call, Trust trust,
                        SpotlightConfig spot) {
            this.delegate = delegate;
            this.tool = tool;
            this.redactor = redactor;
            this.call = call;
            this.trust = trust;
            this.spot = spot;
        }

        @Override
        public void notify(String method, ObjectNode params) {
            delegate.notify(method, params == null ? null
                    : guardStreamed(params, tool, redactor, call, "notification", true, trust, spot));
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            ObjectNode guarded = params == null ? null
                    : guardStreamed(params, tool, redactor, call, "request to the client", false, trust, spot);
            if (params != null && guarded == null) {
                throw new Withheld();
            }
            return delegate.request(method, guarded);
        }

        @Override
        public void detachForPolling() {
            delegate.detachForPolling();
        }

    }

    /**
     * A task's input requests through the same guards as requests on the client's stream, before the task keeps
     * them: redacted, and for an untrusted tool spotlighted, or withheld altogether (the task fails) on an injection.
     */
    private final class GuardedTaskRun implements TaskRun {
        private final TaskRun delegate;
        private final String tool;
        private final Redactor redactor;
        private final Call call;
        private final Trust trust;
        private final SpotlightConfig spot;

        GuardedTaskRun(TaskRun delegate, String tool, Redactor redactor, Call call, Trust trust,
                       SpotlightConfig spot) {
            this.delegate = delegate;
            this.tool = tool;
            this.redactor = redactor;
            this.call = call;
            this.trust = trust;
            this.spot = spot;
        }

        @Override
        public boolean started() {
            return delegate.started();
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputResponses input(Map<String, InputRequest> requests) {
            ObjectNode asked = Json.object();
            requests.forEach((k, r) -> {
                ObjectNode o = asked.putObject(k);
                o.put("method", r.method());
                o.set("params", r.params());
            });
            Map<String, JsonNode> got = new java.util.LinkedHashMap<>();
            input(asked).properties().forEach(e -> got.put(e.getKey(), e.getValue()));
            return new InputResponses(got);
        }

        @Override
        public ObjectNode input(ObjectNode requests) {
            if (requests.isEmpty() || requests.size() > TaskRun.MAX_INPUT_REQUESTS) {
                return delegate.input(requests); // refused by the task before anything is kept: no need to look
            }
            ObjectNode guarded = Json.object();
            for (var e : requests.properties()) {
                if (!(e.getValue() instanceof ObjectNode r)) {
                    guarded.set(e.getKey(), e.getValue()); // malformed: the task refuses it
                    continue;
                }
                ObjectNode g = r.deepCopy();
                if (r.get("params") instanceof ObjectNode params) {
                    ObjectNode p = guardStreamed(params.deepCopy(), tool, redactor, call, "request to the client",
                            false, trust, spot);
                    if (p == null) {
                        throw new Withheld();
                    }
                    g.set("params", p);
                }
                guarded.set(e.getKey(), g);
            }
            return delegate.input(guarded);
        }
    }

    /**
     * Redacts what a running tool sends the client and, for an untrusted tool, acts on a detected injection: a
     * notification's text is replaced by the quarantine notice ({@code quarantineText}); a request to the client
     * (elicitation, sampling) is withheld altogether, signalled by returning null. Otherwise an untrusted tool's
     * streamed text is spotlighted: a notification's free text, and a request's message, system prompt and text
     * content (never its requested schema, whose values the client returns).
     */
    private ObjectNode guardStreamed(ObjectNode params, String tool, Redactor redactor, Call call,
                                     String where, boolean quarantineText, Trust trust, SpotlightConfig spot) {
        Redaction redaction = redactor.redact(params);
        note(call, tool, redaction, where);
        ObjectNode out = (ObjectNode) redaction.result();
        if (trust.any()) {
            StringBuilder text = new StringBuilder();
            collect(out, text);
            Detection d = detect(text.toString());
            if (d.attack()) {
                SECURITY.warn("prompt injection detected in a {} streamed by {}; quarantined (signals {})",
                        where, tool, d.signals());
                SecurityEvents.report(call, QUARANTINE_FINDING);
                if (!quarantineText) {
                    return null;
                }
                quarantineStrings(out);
                return out;
            }
            Spotlighter text2 = spotlighter.withMode(textMode(spot.text(), d));
            if (quarantineText) {
                markFreeText(out, text2);
            } else {
                markRequest(out, text2);
            }
        }
        return out;
    }

    private static ObjectNode quarantinedResult(ObjectNode original) {
        ObjectNode q = Json.object();
        q.putArray("content").addObject().put("type", "text").put("text", QUARANTINED);
        if (original.has("resultType")) {
            q.put("resultType", "complete");
        }
        return q;
    }

    /** Members whose strings are protocol values (kinds, roles, levels, tokens), not text a model reads. */
    private static final Set<String> PROTOCOL_MEMBERS = Set.of("type", "role", "mimeType", "level", "logger",
            "progressToken", "_meta", "requestId", "method", "uri");

    /**
     * Replaces every free-text string of a notification (a progress message, log data however nested) with the
     * quarantine notice, keeping the protocol members intact so the notification stays well-formed.
     */
    private static void quarantineStrings(JsonNode node) {
        replaceFreeText(node, v -> QUARANTINED);
    }

    /** Spotlights every free-text string of a notification, keeping the protocol members intact. */
    private static void markFreeText(JsonNode node, Spotlighter text) {
        replaceFreeText(node, v -> text.wrap(v).text());
    }

    private static void replaceFreeText(JsonNode node, java.util.function.UnaryOperator<String> replace) {
        replaceFreeText(node, replace, true);
    }

    /**
     * Protocol members are kept only where the protocol puts them, among the notification's own parameters: below
     * them (a log message's {@code data}, however nested) every string is the tool's text, whatever its key.
     */
    private static void replaceFreeText(JsonNode node, java.util.function.UnaryOperator<String> replace,
                                        boolean params) {
        if (node instanceof ObjectNode o) {
            for (var e : List.copyOf(o.properties())) {
                if (params && PROTOCOL_MEMBERS.contains(e.getKey())) {
                    continue;
                }
                if (e.getValue().isString()) {
                    o.put(e.getKey(), replace.apply(e.getValue().asString()));
                } else {
                    replaceFreeText(e.getValue(), replace, false);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isString()) {
                    a.set(i, replace.apply(a.get(i).asString()));
                } else {
                    replaceFreeText(a.get(i), replace, false);
                }
            }
        }
    }

    /** Members of a request to the client (elicitation, sampling) whose strings the model or user reads as text. */
    private static final Set<String> REQUEST_TEXT = Set.of("message", "systemPrompt");

    /** Spotlights a request's message, system prompt and text contents; its schemas and preferences stay exact. */
    private static void markRequest(JsonNode node, Spotlighter text) {
        if (node instanceof ObjectNode o) {
            if ("text".equals(o.path("type").asString("")) && o.get("text") instanceof JsonNode t && t.isString()) {
                o.put("text", text.wrap(t.asString()).text());
            }
            for (var e : List.copyOf(o.properties())) {
                String name = e.getKey();
                if (PROTOCOL_MEMBERS.contains(name) || name.equals("requestedSchema")
                        || name.equals("modelPreferences") || name.equals("requestState")) {
                    continue;
                }
                if (REQUEST_TEXT.contains(name) && e.getValue().isString()) {
                    o.put(name, text.wrap(e.getValue().asString()).text());
                } else if (e.getValue().isContainer()) {
                    markRequest(e.getValue(), text);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (JsonNode child : a) {
                markRequest(child, text);
            }
        }
    }

    /**
     * An untrusted result (also an error result): quarantined when an injection is detected in any of its text,
     * else its text blocks spotlighted and the strings of its structured content marked as the tool's
     * {@link SpotlightConfig} says (all of them, or the declared fields only).
     */
    private ObjectNode untrusted(String tool, ObjectNode result, Call call, Trust trust, SpotlightConfig spot) {
        Detection d = detect(allText(result));
        if (d.attack()) {
            quarantined(call, tool, d);
            ObjectNode q = quarantinedResult(result);
            if (result.path("isError").asBoolean(false)) {
                q.put("isError", true);
            }
            return q;
        }
        Spotlighter text = spotlighter.withMode(textMode(spot.text(), d));
        for (JsonNode block : result.withArray("content")) {
            markText(block, text, false);
        }
        if (result.get("structuredContent") instanceof JsonNode structured) {
            Marking marking = structuredMarking(spot.structured(), d);
            result.set("structuredContent", markStructured(structured, new ArrayList<>(),
                    trust.whole() ? marking : null, trust, marking,
                    toolRules.getOrDefault(tool, defaultRules)));
            result.withObject("_meta").put(UNTRUSTED_META, true);
        }
        return result;
    }

    /**
     * {@code node} (owned by this call) with its strings marked: {@code inherited} is the marking of the enclosing
     * field (null: trusted); a field rule of the configuration, else a declaration, decides below it.
     */
    private JsonNode markStructured(JsonNode node, List<String> path, Marking inherited, Trust trust,
                                    Marking structured, List<Rule> rules) {
        Marking here = inherited;
        if (!path.isEmpty()) {
            Marking configured = null;
            for (Rule r : rules) {
                if (r.pattern().matches(path)) {
                    configured = r.marking();
                }
            }
            if (configured != null) {
                here = configured;
            } else if (trust.declared().stream().anyMatch(p -> p.matches(path))) {
                here = structured;
            }
        }
        if (node.isString()) {
            return here == null || here == Marking.VERBATIM ? node
                    : Json.nodes().stringNode(spotlighter.mark(node.asString(), here));
        }
        if (node instanceof ObjectNode o) {
            for (var e : List.copyOf(o.properties())) {
                path.add(e.getKey());
                o.set(e.getKey(), markStructured(e.getValue(), path, here, trust, structured, rules));
                path.remove(path.size() - 1);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                path.add(Integer.toString(i));
                a.set(i, markStructured(a.get(i), path, here, trust, structured, rules));
                path.remove(path.size() - 1);
            }
        }
        return node;
    }

    /** Every string of {@code node} marked with {@code marking}. */
    private static JsonNode markStrings(JsonNode node, Spotlighter spotlighter, Marking marking) {
        if (node.isString()) {
            return Json.nodes().stringNode(spotlighter.mark(node.asString(), marking));
        }
        if (node instanceof ObjectNode o) {
            for (var e : List.copyOf(o.properties())) {
                o.set(e.getKey(), markStrings(e.getValue(), spotlighter, marking));
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, markStrings(a.get(i), spotlighter, marking));
            }
        }
        return node;
    }

    /** The strings of an answer, one a line, for the detector. */
    private static String allText(ObjectNode result) {
        StringBuilder all = new StringBuilder();
        for (var e : result.properties()) {
            if (!e.getKey().equals("_meta")) {
                collect(e.getValue(), all);
            }
        }
        return all.toString();
    }

    private static void collect(JsonNode node, StringBuilder out) {
        if (node == null) {
            return;
        }
        if (node.isString()) {
            out.append(node.asString()).append('\n');
        } else if (node instanceof ObjectNode || node instanceof ArrayNode) {
            for (JsonNode child : node) {
                collect(child, out);
            }
        }
    }

    @Override
    public String name() {
        return "output-guards";
    }

    /** Configures redaction per tool, which sources return untrusted content and how it is spotlighted. */
    public static final class Builder {
        private Redactor defaultRedactor = Redactor.secretsAndPii();
        private final Map<String, Redactor> perTool = new HashMap<>();
        private final Set<String> untrusted = new HashSet<>();
        private final Set<String> untrustedPrompts = new HashSet<>();
        private final Set<String> untrustedResources = new HashSet<>();
        private final java.util.List<java.util.function.Predicate<String>> untrustedWhere = new java.util.ArrayList<>();
        private PromptInjectionDetector detector = HeuristicInjectionDetector.standard();
        private Spotlighter spotlighter = Spotlighter.delimiting();
        private SpotlightConfig spotlighting;
        private final Map<String, SpotlightConfig> toolSpotlighting = new HashMap<>();

        /** The redactor for every tool without its own (default: secrets and personal data). */
        public Builder redactor(Redactor redactor) {
            this.defaultRedactor = redactor;
            return this;
        }

        /**
         * A redactor for one tool. Personal data is redacted from every tool by default; giving a tool
         * {@link Redactor#secrets()} is the explicit opt-out for a tool whose caller may see it.
         */
        public Builder redactor(String tool, Redactor redactor) {
            perTool.put(tool, redactor);
            return this;
        }

        /** Marks a tool's output as untrusted (written by third parties): checked for injection and spotlighted. */
        public Builder untrusted(String... tools) {
            untrusted.addAll(Set.of(tools));
            return this;
        }

        /** Marks prompts' messages as untrusted: checked for injection and spotlighted. */
        public Builder untrustedPrompts(String... prompts) {
            untrustedPrompts.addAll(Set.of(prompts));
            return this;
        }

        /**
         * Marks resources as untrusted, by URI or by the URI template that serves them (as it is defined, e.g.
         * {@code tickets://{id}}): their contents are checked for injection and spotlighted, completions of a
         * template's arguments checked.
         */
        public Builder untrustedResources(String... urisOrTemplates) {
            untrustedResources.addAll(Set.of(urisOrTemplates));
            return this;
        }

        /**
         * Marks the output of every tool {@code tools} accepts as untrusted, judged at each call (a gateway's tools
         * of an upstream whose lists change).
         */
        public Builder untrustedWhere(java.util.function.Predicate<String> tools) {
            untrustedWhere.add(java.util.Objects.requireNonNull(tools, "tools"));
            return this;
        }

        public Builder detector(PromptInjectionDetector detector) {
            this.detector = detector;
            return this;
        }

        /** The randomness of markers; its mode is the text marking unless {@link #spotlighting} says otherwise. */
        public Builder spotlighter(Spotlighter spotlighter) {
            this.spotlighter = java.util.Objects.requireNonNull(spotlighter, "spotlighter");
            return this;
        }

        /** How untrusted output of every source without its own is marked (default: {@link SpotlightConfig#defaults}). */
        public Builder spotlighting(SpotlightConfig spotlighting) {
            this.spotlighting = java.util.Objects.requireNonNull(spotlighting, "spotlighting");
            return this;
        }

        /** How one tool's untrusted output is marked; field rules with a marking also declare third-party fields. */
        public Builder spotlighting(String tool, SpotlightConfig spotlighting) {
            toolSpotlighting.put(tool, java.util.Objects.requireNonNull(spotlighting, "spotlighting"));
            return this;
        }

        public OutputGuardStage build() {
            return new OutputGuardStage(this);
        }
    }
}
