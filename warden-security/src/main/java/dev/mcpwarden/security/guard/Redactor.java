package dev.mcpwarden.security.guard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replaces every span its detectors find with {@code [REDACTED-<KIND>]}, in a plain text or in every string of a JSON
 * tree (tool result content blocks, embedded resource text, {@code structuredContent}, at any depth, object member
 * names included), and reports each finding by kind and JSON Pointer, never by value.
 *
 * <p>Detectors see a skeleton of each string, with invisible characters (zero-width, bidi, soft hyphen, tag
 * characters) removed and each character NFKC-normalised, and the span found is mapped back to the original: a
 * secret split by U+200B or written in fullwidth letters is replaced as one whole span. Overlapping findings are
 * merged into one replacement. Base64 payloads of binary content ({@code data} of an {@code image} or {@code audio}
 * block, a resource's {@code blob}) are copied unscanned. If two member names of one object redact to the same
 * label, the later member wins.
 */
public final class Redactor {

    private final List<SensitiveDataDetector> detectors;

    private Redactor(List<SensitiveDataDetector> detectors) {
        this.detectors = detectors;
    }

    /** A redactor running the given detectors. */
    public static Redactor of(List<? extends SensitiveDataDetector> detectors) {
        if (detectors.isEmpty()) {
            throw new IllegalArgumentException("at least one detector is required");
        }
        return new Redactor(List.copyOf(detectors));
    }

    /** A redactor of secrets only (every tool's output). */
    public static Redactor secrets() {
        return of(List.of(SecretDetector.standard()));
    }

    /** A redactor of secrets and every kind of personal data. */
    public static Redactor secretsAndPii() {
        return of(List.of(SecretDetector.standard(), PiiDetector.all()));
    }

    /**
     * A redacted text.
     *
     * @param text  the text with findings replaced
     * @param kinds the kind of each replaced span, in order
     */
    public record RedactedText(String text, List<FindingKind> kinds) {
        public RedactedText {
            kinds = List.copyOf(kinds);
        }
    }

    /** Redacts one text. */
    public RedactedText redactText(String text) {
        List<TextMatch> spans = spans(text);
        if (spans.isEmpty()) {
            return new RedactedText(text, List.of());
        }
        StringBuilder out = new StringBuilder(text.length());
        List<FindingKind> kinds = new ArrayList<>(spans.size());
        int at = 0;
        for (TextMatch span : spans) {
            out.append(text, at, span.start()).append(span.kind().label());
            kinds.add(span.kind());
            at = span.end();
        }
        out.append(text, at, text.length());
        return new RedactedText(out.toString(), kinds);
    }

    /** Redacts every string in {@code node}; the input is left as it was. */
    public Redaction redact(JsonNode node) {
        List<Finding> findings = new ArrayList<>();
        JsonNode result = copy(node, "", findings);
        return new Redaction(result, findings);
    }

    private JsonNode copy(JsonNode node, String path, List<Finding> findings) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node == null) {
            return null;
        }
        if (node.isString()) {
            return f.stringNode(text(node.asString(), path, findings));
        }
        if (node.isArray()) {
            ArrayNode out = f.arrayNode();
            int i = 0;
            for (JsonNode element : node) {
                out.add(copy(element, path + "/" + i, findings));
                i++;
            }
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = f.objectNode();
            JsonNode type = node.get("type");
            boolean binaryBlock = type != null && type.isString()
                    && (type.asString().equals("image") || type.asString().equals("audio"));
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String name = member.getKey();
                JsonNode value = member.getValue();
                boolean binary = value.isString()
                        && ((binaryBlock && name.equals("data")) || (name.equals("blob") && node.has("uri")));
                List<Finding> keyFindings = new ArrayList<>();
                String redactedName = text(name, path, keyFindings);
                String memberPath = path + "/" + escape(redactedName);
                for (Finding kf : keyFindings) {
                    findings.add(new Finding(kf.kind(), memberPath));
                }
                out.set(redactedName, binary ? value.deepCopy() : copy(value, memberPath, findings));
            }
            return out;
        }
        return node.deepCopy();
    }

    private String text(String value, String path, List<Finding> findings) {
        RedactedText r = redactText(value);
        for (FindingKind kind : r.kinds()) {
            findings.add(new Finding(kind, path));
        }
        return r.text();
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** The merged, ordered, non-overlapping spans of the original text to replace. */
    List<TextMatch> spans(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        Skeleton skeleton = Skeleton.of(text);
        List<TextMatch> found = new ArrayList<>();
        for (SensitiveDataDetector detector : detectors) {
            for (TextMatch m : detector.scan(skeleton.text)) {
                found.add(new TextMatch(m.kind(), skeleton.originStart(m.start()), skeleton.originEnd(m.end() - 1)));
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        found.sort(Comparator.comparingInt(TextMatch::start).thenComparing(m -> -m.end()));
        List<TextMatch> merged = new ArrayList<>();
        TextMatch current = found.get(0);
        for (int i = 1; i < found.size(); i++) {
            TextMatch next = found.get(i);
            if (next.start() < current.end()) {
                current = new TextMatch(current.kind(), current.start(), Math.max(current.end(), next.end()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return merged;
    }
}
