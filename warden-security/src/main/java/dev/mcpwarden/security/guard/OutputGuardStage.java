package dev.mcpwarden.security.guard;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Guards what tools return. Every result is redacted (secrets by default, more kinds per tool); the output of
 * tools marked untrusted is checked for prompt injection, quarantined when one is detected, and otherwise
 * delimited (spotlighting) so the model can tell data from instructions. What a tool streams while it runs
 * (progress and log notifications, elicitation and sampling requests on the 2025 wire) passes the same redactor,
 * and an untrusted tool's streamed text in which an injection is detected is replaced by a quarantine notice.
 * Findings (kinds and counts, never values) go to the event stream ({@link ControlEvent.Finding}).
 */
public final class OutputGuardStage implements Stage<Call, JsonNode> {

    /** Redaction runs in memory; injection detection may call a remote classifier. */
    @Override
    public boolean mayBlock() {
        return detector.mayBlock();
    }


    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    static final String QUARANTINED = "[QUARANTINED] This tool's output was withheld because it appears to contain "
            + "instructions aimed at the model (a prompt injection).";

    /** Set in a result's {@code _meta} when its structured content came from an untrusted source. */
    public static final String UNTRUSTED_META = "dev.mcpwarden/untrusted-content";

    private final Redactor defaultRedactor;
    private final Map<String, Redactor> perTool;
    private final java.util.function.Predicate<String> untrusted;
    private final PromptInjectionDetector detector;
    private final Spotlighter spotlighter;

    private OutputGuardStage(Builder b) {
        this.defaultRedactor = b.defaultRedactor;
        this.perTool = Map.copyOf(b.perTool);
        Set<String> named = Set.copyOf(b.untrusted);
        java.util.function.Predicate<String> u = named::contains;
        for (java.util.function.Predicate<String> p : b.untrustedWhere) {
            u = u.or(p);
        }
        this.untrusted = u;
        this.detector = b.detector;
        this.spotlighter = b.spotlighter;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static final ControlEvent QUARANTINE_FINDING = new ControlEvent.Finding(ControlEvent.Control.OUTPUT_GUARD,
            "PROMPT_INJECTION", "quarantined", 1);

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Target target = call.target();
        if (!"tools/call".equals(call.method()) || target == null) {
            return chain.proceed(call);
        }
        String tool = target.name();
        Redactor redactor = perTool.getOrDefault(tool, defaultRedactor);
        call.decorateOutbound(out -> new GuardedOutbound(out, tool, redactor, call));
        JsonNode result = chain.proceed(call);
        if (result instanceof ObjectNode o && o.get("inputRequests") instanceof ObjectNode requests) {
            // 2026 wire: the handler's elicitation and sampling requests travel in the result; guard them like the
            // 2025 wire's server-to-client requests (the sealed requestState beside them is left alone).
            ObjectNode guarded = guardStreamed(requests, tool, redactor, call, "request to the client", false);
            if (guarded == null) {
                return quarantinedResult(o); // a request carrying an injection is not sent at all
            }
            o.set("inputRequests", guarded);
            return o;
        }
        if (!(result instanceof ObjectNode) || !result.has("content")) {
            return result;
        }
        boolean untrustedTool = untrusted.test(tool);
        // The result is this call's own; share what needs no redaction unless the untrusted path rewrites it.
        Redaction redaction = untrustedTool ? redactor.redact(result) : redactor.redactShared(result);
        note(call, tool, redaction, "result");
        ObjectNode out = (ObjectNode) redaction.result();
        if (untrustedTool && !out.path("isError").asBoolean(false)) {
            return untrusted(tool, out, call);
        }
        return out;
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

    /** Streams a running tool's notifications and requests through the same guards as its result. */
    private final class GuardedOutbound implements Outbound {
        private final Outbound delegate;
        private final String tool;
        private final Redactor redactor;
        private final Call call;

        GuardedOutbound(Outbound delegate, String tool, Redactor redactor, Call call) {
            this.delegate = delegate;
            this.tool = tool;
            this.redactor = redactor;
            this.call = call;
        }

        @Override
        public void notify(String method, ObjectNode params) {
            delegate.notify(method, params == null ? null
                    : guardStreamed(params, tool, redactor, call, "notification", true));
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            ObjectNode guarded = params == null ? null
                    : guardStreamed(params, tool, redactor, call, "request to the client", false);
            if (params != null && guarded == null) {
                throw new dev.mcpwarden.core.jsonrpc.McpError(dev.mcpwarden.core.jsonrpc.ErrorCodes.INTERNAL_ERROR,
                        "Request to the client withheld: it appears to contain a prompt injection");
            }
            return delegate.request(method, guarded);
        }

        @Override
        public void detachForPolling() {
            delegate.detachForPolling();
        }

    }

    /**
     * Redacts what a running tool sends the client and, for an untrusted tool, acts on a detected injection: a
     * notification's text is replaced by the quarantine notice ({@code quarantineText}); a request to the client
     * (elicitation, sampling) is withheld altogether, signalled by returning null.
     */
    private ObjectNode guardStreamed(ObjectNode params, String tool, Redactor redactor, Call call,
                                     String where, boolean quarantineText) {
        Redaction redaction = redactor.redact(params);
        note(call, tool, redaction, where);
        ObjectNode out = (ObjectNode) redaction.result();
        if (untrusted.test(tool)) {
            StringBuilder text = new StringBuilder();
            collect(out, text);
            Detection d = detector.detect(text.toString());
            if (d.attack()) {
                SECURITY.warn("prompt injection detected in a {} streamed by {}; quarantined (signals {})",
                        where, tool, d.signals());
                SecurityEvents.report(call, QUARANTINE_FINDING);
                if (!quarantineText) {
                    return null;
                }
                quarantineStrings(out);
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
            "progressToken", "_meta", "requestId");

    /**
     * Replaces every free-text string of a notification (a progress message, log data however nested) with the
     * quarantine notice, keeping the protocol members intact so the notification stays well-formed.
     */
    private static void quarantineStrings(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (var e : List.copyOf(o.properties())) {
                if (PROTOCOL_MEMBERS.contains(e.getKey())) {
                    continue;
                }
                if (e.getValue().isString()) {
                    o.put(e.getKey(), QUARANTINED);
                } else {
                    quarantineStrings(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isString()) {
                    a.set(i, QUARANTINED);
                } else {
                    quarantineStrings(a.get(i));
                }
            }
        }
    }

    private ObjectNode untrusted(String tool, ObjectNode result, Call call) {
        StringBuilder all = new StringBuilder();
        collect(result.get("content"), all);
        collect(result.get("structuredContent"), all);
        Detection d = detector.detect(all.toString());
        if (d.attack()) {
            SECURITY.warn("prompt injection detected in the output of {}; quarantined (signals {})", tool, d.signals());
            SecurityEvents.report(call, QUARANTINE_FINDING);
            return quarantinedResult(result);
        }
        for (JsonNode block : result.withArray("content")) {
            if (block instanceof ObjectNode o && "text".equals(o.path("type").asString(""))) {
                o.put("text", spotlighter.wrap(o.path("text").asString("")).text());
            }
        }
        if (result.has("structuredContent")) {
            // Structured values stay exact (an output schema may constrain them); the result says they are data.
            result.withObject("_meta").put(UNTRUSTED_META, true);
        }
        return result;
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

    /** Configures redaction per tool and which tools return untrusted content. */
    public static final class Builder {
        private Redactor defaultRedactor = Redactor.secrets();
        private final Map<String, Redactor> perTool = new HashMap<>();
        private final Set<String> untrusted = new HashSet<>();
        private final java.util.List<java.util.function.Predicate<String>> untrustedWhere = new java.util.ArrayList<>();
        private PromptInjectionDetector detector = HeuristicInjectionDetector.standard();
        private Spotlighter spotlighter = Spotlighter.delimiting();

        /** The redactor for every tool without its own (default: secrets). */
        public Builder redactor(Redactor redactor) {
            this.defaultRedactor = redactor;
            return this;
        }

        /** A redactor for one tool, e.g. secrets and personal data for a customer lookup. */
        public Builder redactor(String tool, Redactor redactor) {
            perTool.put(tool, redactor);
            return this;
        }

        /** Marks a tool's output as untrusted (written by third parties): checked for injection and delimited. */
        public Builder untrusted(String... tools) {
            untrusted.addAll(Set.of(tools));
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

        public Builder spotlighter(Spotlighter spotlighter) {
            this.spotlighter = spotlighter;
            return this;
        }

        public OutputGuardStage build() {
            return new OutputGuardStage(this);
        }
    }
}
