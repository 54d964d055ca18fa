package dev.mcpwarden.security.guard;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.HashMap;
import java.util.HashSet;
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
 * delimited (spotlighting) so the model can tell data from instructions.
 */
public final class OutputGuardStage implements Stage<Call, JsonNode> {

    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");
    static final String QUARANTINED = "[QUARANTINED] This tool's output was withheld because it appears to contain "
            + "instructions aimed at the model (a prompt injection).";

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
        JsonNode result = chain.proceed(call);
        if (!"tools/call".equals(call.method()) || !(result instanceof ObjectNode)
                || !result.has("content")) {
            return result; // input_required results and other methods carry no tool output
        }
        String tool = call.params().path("name").asString("");
        Redaction redaction = perTool.getOrDefault(tool, defaultRedactor).redact(result);
        if (!redaction.findings().isEmpty()) {
            SECURITY.info("output guard redacted {} finding(s) from {}: {}", redaction.findings().size(), tool,
                    redaction.findings().stream().map(f -> f.kind().name()).distinct().toList());
        }
        ObjectNode out = (ObjectNode) redaction.result();
        if (untrusted.contains(tool) && !out.path("isError").asBoolean(false)) {
            return untrusted(tool, out);
        }
        return out;
    }

    private ObjectNode untrusted(String tool, ObjectNode result) {
        StringBuilder all = new StringBuilder();
        collect(result.get("content"), all);
        collect(result.get("structuredContent"), all);
        Detection d = detector.detect(all.toString());
        if (d.attack()) {
            SECURITY.warn("prompt injection detected in the output of {}; quarantined (signals {})", tool, d.signals());
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
