package dev.mcpwarden.security.guard;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.audit.AuditNotes;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Outbound;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
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
 * Findings (kinds and counts, never values) go to the call's {@link AuditNotes}.
 */
public final class OutputGuardStage implements Stage<Call, JsonNode> {

    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    static final String QUARANTINED = "[QUARANTINED] This tool's output was withheld because it appears to contain "
            + "instructions aimed at the model (a prompt injection).";

    /** Set in a result's {@code _meta} when its structured content came from an untrusted source. */
    public static final String UNTRUSTED_META = "dev.mcpwarden/untrusted-content";

    private final Redactor defaultRedactor;
    private final Map<String, Redactor> perTool;
    private final Set<String> untrusted;
    private final PromptInjectionDetector detector;
    private final Spotlighter spotlighter;

    private OutputGuardStage(Builder b) {
        this.defaultRedactor = b.defaultRedactor;
        this.perTool = Map.copyOf(b.perTool);
        this.untrusted = Set.copyOf(b.untrusted);
        this.detector = b.detector;
        this.spotlighter = b.spotlighter;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        if (!"tools/call".equals(call.method())) {
            return chain.proceed(call);
        }
        String tool = call.params().path("name").asString("");
        Redactor redactor = perTool.getOrDefault(tool, defaultRedactor);
        AuditNotes notes = AuditNotes.of(call);
        call.decorateOutbound(out -> new GuardedOutbound(out, tool, redactor, notes));
        JsonNode result = chain.proceed(call);
        if (!(result instanceof ObjectNode) || !result.has("content")) {
            return result; // input_required results carry no tool output
        }
        Redaction redaction = redactor.redact(result);
        note(notes, tool, redaction, "result");
        ObjectNode out = (ObjectNode) redaction.result();
        if (untrusted.contains(tool) && !out.path("isError").asBoolean(false)) {
            return untrusted(tool, out, notes);
        }
        return out;
    }

    private static void note(AuditNotes notes, String tool, Redaction redaction, String where) {
        if (redaction.findings().isEmpty()) {
            return;
        }
        Map<String, Integer> counts = new java.util.TreeMap<>();
        redaction.findings().forEach(f -> counts.merge(f.kind().name(), 1, Integer::sum));
        SECURITY.info("output guard redacted {} finding(s) from the {} of {}: {}", redaction.findings().size(), where,
                tool, counts.keySet());
        counts.forEach((kind, n) -> notes.finding("output-guard", kind, "redacted", n));
    }

    /** Streams a running tool's notifications and requests through the same guards as its result. */
    private final class GuardedOutbound implements Outbound {
        private final Outbound delegate;
        private final String tool;
        private final Redactor redactor;
        private final AuditNotes notes;

        GuardedOutbound(Outbound delegate, String tool, Redactor redactor, AuditNotes notes) {
            this.delegate = delegate;
            this.tool = tool;
            this.redactor = redactor;
            this.notes = notes;
        }

        @Override
        public void notify(String method, ObjectNode params) {
            delegate.notify(method, guard(params, "notification"));
        }

        @Override
        public JsonNode request(String method, ObjectNode params) {
            return delegate.request(method, guard(params, "request to the client"));
        }

        @Override
        public void detachForPolling() {
            delegate.detachForPolling();
        }

        private ObjectNode guard(ObjectNode params, String where) {
            if (params == null) {
                return null;
            }
            Redaction redaction = redactor.redact(params);
            note(notes, tool, redaction, where);
            ObjectNode out = (ObjectNode) redaction.result();
            if (untrusted.contains(tool)) {
                StringBuilder text = new StringBuilder();
                collect(out, text);
                Detection d = detector.detect(text.toString());
                if (d.attack()) {
                    SECURITY.warn("prompt injection detected in a {} streamed by {}; quarantined (signals {})",
                            where, tool, d.signals());
                    notes.finding("output-guard", "PROMPT_INJECTION", "quarantined", 1);
                    quarantineStrings(out);
                }
            }
            return out;
        }
    }

    /** Replaces every free-text member (message, data, text) while keeping the protocol fields intact. */
    private static void quarantineStrings(ObjectNode params) {
        for (String field : List.of("message", "data", "text")) {
            if (params.has(field)) {
                params.put(field, QUARANTINED);
            }
        }
    }

    private ObjectNode untrusted(String tool, ObjectNode result, AuditNotes notes) {
        StringBuilder all = new StringBuilder();
        collect(result.get("content"), all);
        collect(result.get("structuredContent"), all);
        Detection d = detector.detect(all.toString());
        if (d.attack()) {
            SECURITY.warn("prompt injection detected in the output of {}; quarantined (signals {})", tool, d.signals());
            notes.finding("output-guard", "PROMPT_INJECTION", "quarantined", 1);
            ObjectNode q = Json.object();
            q.putArray("content").addObject().put("type", "text").put("text", QUARANTINED);
            if (result.has("resultType")) {
                q.set("resultType", result.get("resultType"));
            }
            return q;
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
