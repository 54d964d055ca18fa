package dev.mcpwarden.security.guard;

import dev.mcpwarden.security.text.Fold;
import dev.mcpwarden.security.text.Folded;
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
 * <p>Detectors see each string after the shared {@link Fold} (invisible characters dropped, compatibility forms
 * and accents folded, Cyrillic and Greek look-alikes mapped to Latin, case kept), and the span found is mapped back
 * to the original: a secret split by U+200B, written in fullwidth letters or with a Cyrillic {@code а} is replaced
 * as one whole span. Overlapping findings are
 * merged into one replacement. Base64 payloads of binary content ({@code data} of an {@code image} or {@code audio}
 * block, a resource's {@code blob}) are copied unscanned. If two member names of one object redact to the same
 * label, the later member wins.
 */
public final class Redactor {

    /** What detectors see: case is kept, since secret and personal-data patterns are case-sensitive. */
    static final Fold FOLD = Fold.of();

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

    /** A redactor of secrets only: the explicit opt-out of personal-data redaction for one tool. */
    public static Redactor secrets() {
        return of(List.of(SecretDetector.standard()));
    }

    /** A redactor of secrets and every kind of personal data: the output guards' default for every tool. */
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
        List<Finding> findings = new ArrayList<>(0);
        JsonNode result = redact(node, Pointer.ROOT, findings, true);
        return new Redaction(result == node && node != null ? node.deepCopy() : result, findings);
    }

    /**
     * Like {@link #redact(JsonNode)}, but what needs no redaction is shared with the input rather than copied: the
     * input itself when nothing was found, else a tree whose unchanged subtrees are the input's. For callers that
     * own the input and do not modify either tree afterwards (the output guard on a tool's result).
     */
    Redaction redactShared(JsonNode node) {
        List<Finding> findings = new ArrayList<>(0);
        JsonNode result = redact(node, Pointer.ROOT, findings, false);
        return new Redaction(result, findings);
    }

    /**
     * A JSON Pointer, built into a string only when a finding needs it.
     *
     * @param name a member name, or null for an array index
     */
    private record Pointer(Pointer parent, String name, int index) {
        static final Pointer ROOT = new Pointer(null, null, -1);

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            return parent + "/" + (name != null ? escape(name) : Integer.toString(index));
        }
    }

    /**
     * The redacted form of {@code node}: {@code node} itself when nothing in it was found, else a new node. With
     * {@code copy}, unchanged children of a new node are deep copies, so that the result shares nothing with the
     * input; without it they are the input's own.
     */
    private JsonNode redact(JsonNode node, Pointer path, List<Finding> findings, boolean copy) {
        if (node == null) {
            return null;
        }
        if (node.isString()) {
            String value = node.asString();
            List<TextMatch> spans = spans(value);
            if (spans.isEmpty()) {
                return node;
            }
            return JsonNodeFactory.instance.stringNode(replace(value, spans, path.toString(), findings));
        }
        if (node.isArray()) {
            ArrayNode out = null;
            int i = 0;
            for (JsonNode element : node) {
                JsonNode r = redact(element, new Pointer(path, null, i), findings, copy);
                if (out == null && r != element) {
                    out = JsonNodeFactory.instance.arrayNode();
                    for (int k = 0; k < i; k++) {
                        out.add(copy ? node.get(k).deepCopy() : node.get(k));
                    }
                }
                if (out != null) {
                    out.add(copy && r == element ? element.deepCopy() : r);
                }
                i++;
            }
            return out == null ? node : out;
        }
        if (node.isObject()) {
            ObjectNode out = null;
            JsonNode type = node.get("type");
            boolean binaryBlock = type != null && type.isString()
                    && (type.asString().equals("image") || type.asString().equals("audio"));
            int i = 0;
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String name = member.getKey();
                JsonNode value = member.getValue();
                boolean binary = value.isString()
                        && ((binaryBlock && name.equals("data")) || (name.equals("blob") && node.has("uri")));
                List<TextMatch> nameSpans = spans(name);
                String redactedName = name;
                Pointer memberPath;
                if (nameSpans.isEmpty()) {
                    memberPath = new Pointer(path, name, -1);
                } else {
                    List<Finding> keyFindings = new ArrayList<>();
                    redactedName = replace(name, nameSpans, path.toString(), keyFindings);
                    memberPath = new Pointer(path, redactedName, -1);
                    String at = memberPath.toString();
                    for (Finding kf : keyFindings) {
                        findings.add(new Finding(kf.kind(), at));
                    }
                }
                JsonNode r = binary ? value : redact(value, memberPath, findings, copy);
                if (out == null && (r != value || !redactedName.equals(name))) {
                    out = JsonNodeFactory.instance.objectNode();
                    int k = 0;
                    for (Map.Entry<String, JsonNode> earlier : node.properties()) {
                        if (k++ == i) {
                            break;
                        }
                        out.set(earlier.getKey(), copy ? earlier.getValue().deepCopy() : earlier.getValue());
                    }
                }
                if (out != null) {
                    out.set(redactedName, copy && r == value ? value.deepCopy() : r);
                }
                i++;
            }
            return out == null ? node : out;
        }
        return node;
    }

    /** {@code text} with {@code spans} replaced by their labels; one finding at {@code path} per span. */
    private static String replace(String text, List<TextMatch> spans, String path, List<Finding> findings) {
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (TextMatch span : spans) {
            out.append(text, at, span.start()).append(span.kind().label());
            findings.add(new Finding(span.kind(), path));
            at = span.end();
        }
        out.append(text, at, text.length());
        return out.toString();
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** The merged, ordered, non-overlapping spans of the original text to replace. */
    List<TextMatch> spans(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<TextMatch> found = new ArrayList<>(0);
        if (ascii(text)) {
            // The fold of an ASCII text is the text itself (no ASCII character is invisible, decomposes or looks
            // like another, and FOLD keeps case), with every span mapping to itself: skip building it.
            for (SensitiveDataDetector detector : detectors) {
                found.addAll(detector.scan(text));
            }
        } else {
            Folded folded = FOLD.apply(text);
            for (SensitiveDataDetector detector : detectors) {
                for (TextMatch m : detector.scan(folded.text())) {
                    found.add(new TextMatch(m.kind(), folded.originStart(m.start()), folded.originEnd(m.end())));
                }
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
