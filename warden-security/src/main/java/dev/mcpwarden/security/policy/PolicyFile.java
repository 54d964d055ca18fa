package dev.mcpwarden.security.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads the policy file format (YAML or JSON) into rules, strictly: every problem is reported, with its place. */
final class PolicyFile {

    private static final Set<String> TOP_FIELDS = Set.of("version", "rules");
    private static final List<String> RULE_FIELDS = List.of("id", "effect", "targets", "when", "description");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private PolicyFile() {
    }

    static List<PolicyRule> parse(String text, boolean yaml, String source) {
        JsonNode root;
        try {
            root = (yaml ? YAML : JSON).readTree(text);
        } catch (JacksonException e) {
            throw new InvalidPolicyException(source, List.of("unreadable " + (yaml ? "YAML" : "JSON") + ": "
                    + e.getOriginalMessage() + location(e)));
        }
        List<String> problems = new ArrayList<>();
        List<PolicyRule> rules = read(root, problems);
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(source, problems);
        }
        return rules;
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /**
     * The rules of a document; structural problems go to {@code problems}. Rules with problems are left out, the
     * others are returned so that their conditions are checked too.
     */
    private static List<PolicyRule> read(JsonNode root, List<String> problems) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add("the policy is empty: expected an object with 'rules'");
            return List.of();
        }
        if (!root.isObject()) {
            problems.add("the policy must be an object with 'rules', not " + what(root));
            return List.of();
        }
        for (String f : root.propertyNames()) {
            if (!TOP_FIELDS.contains(f)) {
                problems.add("unknown field '" + f + "' (expected 'version' and 'rules')");
            }
        }
        JsonNode version = root.get("version");
        if (version != null && !(version.isIntegralNumber() && version.longValue() == 1)) {
            problems.add("unsupported version " + version + " (this Warden reads version 1)");
        }
        JsonNode rules = root.get("rules");
        if (rules == null) {
            problems.add("missing field 'rules' (a list; an empty list denies everything)");
            return List.of();
        }
        if (!rules.isArray()) {
            problems.add("'rules' must be a list, not " + what(rules));
            return List.of();
        }
        List<PolicyRule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rule(rules.get(i), i, problems);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private static PolicyRule rule(JsonNode n, int index, List<String> problems) {
        String at = "rules[" + index + "]";
        if (!n.isObject()) {
            problems.add(at + ": a rule must be an object, not " + what(n));
            return null;
        }
        JsonNode idNode = n.get("id");
        if (idNode != null && idNode.isString()) {
            at += " (id '" + idNode.stringValue() + "')";
        }
        int before = problems.size();
        for (String f : n.propertyNames()) {
            if (!RULE_FIELDS.contains(f)) {
                problems.add(at + ": unknown field '" + f + "' (expected one of " + String.join(", ", RULE_FIELDS)
                        + ")");
            }
        }
        String id = string(n, "id", at, true, problems);
        String effectText = string(n, "effect", at, true, problems);
        Effect effect = null;
        if (effectText != null) {
            effect = switch (effectText.toLowerCase(Locale.ROOT)) {
                case "allow" -> Effect.ALLOW;
                case "deny" -> Effect.DENY;
                default -> {
                    problems.add(at + ": effect must be 'allow' or 'deny', not '" + effectText + "'");
                    yield null;
                }
            };
        }
        List<String> targets = targets(n.get("targets"), at, problems);
        String when = null;
        JsonNode w = n.get("when");
        if (w == null) {
            problems.add(at + ": missing field 'when' (a CEL condition; write \"true\" for always)");
        } else if (w.isBoolean()) {
            when = String.valueOf(w.booleanValue()); // YAML `when: true`
        } else if (w.isString()) {
            when = w.stringValue();
        } else {
            problems.add(at + ": 'when' must be a string holding a CEL expression, not " + what(w));
        }
        String description = string(n, "description", at, false, problems);
        if (problems.size() > before) {
            return null;
        }
        return new PolicyRule(id, effect, targets, when, description);
    }

    private static List<String> targets(JsonNode t, String at, List<String> problems) {
        if (t == null) {
            return null; // every target
        }
        if (t.isString()) {
            return List.of(t.stringValue());
        }
        if (!t.isArray()) {
            problems.add(at + ": 'targets' must be a selector or a list of selectors, not " + what(t));
            return List.of();
        }
        if (t.isEmpty()) {
            problems.add(at + ": 'targets' is empty; leave it out to select every target, or write \"*\"");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            JsonNode s = t.get(i);
            if (s.isString()) {
                out.add(s.stringValue());
            } else {
                problems.add(at + ": targets[" + i + "] must be a string, not " + what(s));
            }
        }
        return out;
    }

    private static String string(JsonNode n, String field, String at, boolean required, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || (!required && v.isNull())) {
            if (required) {
                problems.add(at + ": missing field '" + field + "'");
            }
            return null;
        }
        if (!v.isString()) {
            problems.add(at + ": '" + field + "' must be a string, not " + what(v));
            return null;
        }
        return v.stringValue();
    }

    private static String what(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
