package dev.mcpwarden.security.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.runtime.CelAttributePattern;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.PartialVars;
import dev.mcpwarden.server.pipeline.Target;
import dev.mcpwarden.server.auth.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A compiled, immutable set of authorization rules, safe to share between threads. See the
 * {@linkplain dev.mcpwarden.security.policy package documentation} for the file format and the CEL variables.
 *
 * <h2>Combining: deny overrides</h2>
 * For a request, only the rules whose selectors match the target are considered.
 * <ol>
 *   <li>If a considered {@code deny} rule's condition is true, the request is denied by that rule (the first such
 *       rule in file order).</li>
 *   <li>Otherwise, if a considered {@code deny} rule fails to evaluate (missing key, wrong type, overflow,
 *       non-bool result...), the request is denied by that rule: a deny rule that cannot be evaluated denies.</li>
 *   <li>Otherwise, if a considered {@code allow} rule's condition is true, the request is allowed by the first such
 *       rule in file order.</li>
 *   <li>Otherwise, if a considered {@code allow} rule failed to evaluate, the request is denied by that rule.</li>
 *   <li>Otherwise the request is denied by the implicit rule {@value Decision#DEFAULT_DENY}. An empty set
 *       denies everything.</li>
 * </ol>
 * An allow rule that fails is ignored when another allow rule holds: the allow rules are combined like CEL's own
 * {@code ||}, in which {@code true} absorbs an error, so the outcome never depends on the order of the rules. (A
 * failing allow rule is still named in the reason of such a decision, so the audit log shows it.)
 *
 * <h2>Visibility</h2>
 * {@link #decideVisibility} answers "could this principal call this target at all?" without arguments, for lists
 * ({@code tools/list} and friends): a target that no call could reach is hidden. Conditions that read neither
 * {@code args} nor {@code method} are evaluated exactly as for a call, so for a policy without such conditions
 * visibility and calls agree. Conditions that read {@code args} or {@code method} are evaluated partially, with
 * both unknown:
 * <ul>
 *   <li>an {@code allow} condition that is true or depends on the unknowns counts as allowing (some call may be
 *       allowed); one that is false whatever the arguments (e.g. {@code 'admin' in principal.roles && args.x > 1}
 *       for a non-admin) does not;</li>
 *   <li>a {@code deny} condition counts only when it is true whatever the arguments and method (e.g.
 *       {@code 'guest' in principal.roles || args.force}); one that depends on them does not hide the target, as
 *       some call may pass it;</li>
 *   <li>a condition that fails to evaluate counts as for a call (a failing deny hides the target).</li>
 * </ul>
 * So a target is hidden only when every call to it would be denied, with one fail-closed exception: conditions
 * that fail to evaluate. It stays listed when some call might be allowed, and such a call is then decided in full by
 * {@link #decide}.
 */
public final class PolicySet {

    private static final Pattern ID = Pattern.compile("[\\p{L}\\p{N}._:/-]{1,128}");
    private static final List<CelAttributePattern> REQUEST_UNKNOWNS = List.of(
            CelAttributePattern.create(PolicyEnvironment.ARGS), CelAttributePattern.create(PolicyEnvironment.METHOD));

    private final List<PolicyRule> rules;
    /** Per kind (by ordinal): the deny rules and the allow rules that may apply, in file order. */
    private final CompiledRule[][] denies;
    private final CompiledRule[][] allows;
    private final List<CompiledRule> compiled;
    private final boolean readsClaims;

    private PolicySet(List<CompiledRule> compiled) {
        this.compiled = List.copyOf(compiled);
        this.rules = compiled.stream().map(c -> c.rule).toList();
        int kinds = Target.Kind.values().length;
        this.denies = new CompiledRule[kinds][];
        this.allows = new CompiledRule[kinds][];
        for (Target.Kind k : Target.Kind.values()) {
            denies[k.ordinal()] = compiled.stream().filter(c -> c.effect == Effect.DENY && c.appliesTo(k))
                    .toArray(CompiledRule[]::new);
            allows[k.ordinal()] = compiled.stream().filter(c -> c.effect == Effect.ALLOW && c.appliesTo(k))
                    .toArray(CompiledRule[]::new);
        }
        this.readsClaims = compiled.stream().anyMatch(c -> c.readsClaims);
    }

    /**
     * Reads and compiles a policy file: YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}).
     *
     * @throws InvalidPolicyException listing every problem in the file
     * @throws IOException            if the file cannot be read
     */
    public static PolicySet load(Path file) throws IOException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            yaml = true;
        } else if (name.endsWith(".json")) {
            yaml = false;
        } else {
            throw new InvalidPolicyException(file.toString(),
                    List.of("unknown policy file type: expected .yaml, .yml or .json"));
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return compile(PolicyFile.parse(text, yaml, file.toString()), file.toString());
    }

    /**
     * Compiles a policy written in the YAML format.
     *
     * @throws InvalidPolicyException listing every problem
     */
    public static PolicySet fromYaml(String yaml) {
        return compile(PolicyFile.parse(yaml, true, "(yaml)"), "(yaml)");
    }

    /**
     * Compiles a policy written in the JSON format.
     *
     * @throws InvalidPolicyException listing every problem
     */
    public static PolicySet fromJson(String json) {
        return compile(PolicyFile.parse(json, false, "(json)"), "(json)");
    }

    /** A builder for policies written in code. */
    public static Builder builder() {
        return new Builder();
    }

    /** The rules, in order, as written. */
    public List<PolicyRule> rules() {
        return rules;
    }

    /**
     * Whether the rule's condition reads {@code args} or {@code method} (found in its checked syntax tree at load
     * time), so that it may decide differently for two calls to the same target.
     *
     * @throws IllegalArgumentException if there is no such rule
     */
    public boolean isRequestDependent(String ruleId) {
        return compiled.stream().filter(c -> c.id.equals(ruleId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no rule " + ruleId)).requestDependent;
    }

    /**
     * This policy as the resource server's {@link dev.mcpwarden.security.oauth.AccessPolicy}: calls are decided with
     * their arguments ({@link #decide}), lists with {@link #decideVisibility}.
     *
     * <pre>{@code
     * ResourceServer rs = ResourceServer.builder(config).policy(PolicySet.load(path).asAccessPolicy()).build();
     * }</pre>
     */
    public dev.mcpwarden.security.oauth.AccessPolicy asAccessPolicy() {
        PolicySet set = this;
        return new dev.mcpwarden.security.oauth.AccessPolicy() {
            @Override
            public boolean permits(Principal principal, Target.Kind kind, String name) {
                return set.decideVisibility(principal, kind, name).allowed();
            }

            @Override
            public dev.mcpwarden.security.oauth.AccessPolicy.Decision decide(Principal principal, Target.Kind kind,
                                                                            String name, String method,
                                                                            JsonNode arguments) {
                return convert(set.decide(principal, kind, name, method, arguments));
            }

            @Override
            public dev.mcpwarden.security.oauth.AccessPolicy.Decision visibility(Principal principal,
                                                                                Target.Kind kind, String name) {
                return convert(set.decideVisibility(principal, kind, name));
            }

            private dev.mcpwarden.security.oauth.AccessPolicy.Decision convert(
                    dev.mcpwarden.security.policy.Decision d) {
                return new dev.mcpwarden.security.oauth.AccessPolicy.Decision(d.allowed(), d.ruleId(), d.reason());
            }

            @Override
            public String toString() {
                return "CEL policy of " + set.rules().size() + " rule(s)";
            }
        };
    }

    /**
     * Decides one request (a tool call, a prompt get, a resource read...), evaluating every considered rule in full.
     *
     * @param principal who asks
     * @param kind      what kind of target
     * @param name      the tool or prompt name, the resource URI or the resource template
     * @param method    the JSON-RPC method, e.g. {@code tools/call} (null: empty string)
     * @param args      the request's arguments, a JSON object (null or not an object: {@code args} is an empty map)
     */
    public Decision decide(Principal principal, Target.Kind kind, String name, String method, JsonNode args) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Activation vars = new Activation(principal, readsClaims, TargetSelector.name(kind), name, method, args);
        CompiledRule failed = null;
        CompiledRule.EvalError failure = null;
        for (CompiledRule r : denies[kind.ordinal()]) {
            if (r.matches(kind, name)) {
                Object v = r.eval(vars);
                if (v == Boolean.TRUE) {
                    return Decision.deny(r.id, "denied by rule '" + r.id + "'");
                } else if (v instanceof CompiledRule.EvalError e && failed == null) {
                    failed = r;
                    failure = e;
                }
            }
        }
        if (failed != null) {
            return failedDecision(failed, failure);
        }
        for (CompiledRule r : allows[kind.ordinal()]) {
            if (r.matches(kind, name)) {
                Object v = r.eval(vars);
                if (v == Boolean.TRUE) {
                    return Decision.allow(r.id, allowedReason(r, "", failed, failure));
                } else if (v instanceof CompiledRule.EvalError e && failed == null) {
                    failed = r;
                    failure = e;
                }
            }
        }
        if (failed != null) {
            return failedDecision(failed, failure);
        }
        return Decision.deny(Decision.DEFAULT_DENY, "no rule allows this " + TargetSelector.name(kind));
    }

    /**
     * Whether the target is to be listed for the principal: false when no call could be allowed. See "Visibility"
     * in the class documentation for exactly how conditions that read {@code args} or {@code method} count.
     */
    public Decision decideVisibility(Principal principal, Target.Kind kind, String name) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Activation vars = new Activation(principal, readsClaims, TargetSelector.name(kind), name, null, null);
        PartialVars partial = null;
        CompiledRule failed = null;
        CompiledRule.EvalError failure = null;
        for (CompiledRule r : denies[kind.ordinal()]) {
            if (r.matches(kind, name)) {
                Object v;
                if (r.requestDependent) {
                    if (partial == null) {
                        partial = PartialVars.of(vars.withoutRequest(), REQUEST_UNKNOWNS);
                    }
                    v = r.evalPartial(partial);
                } else {
                    v = r.eval(vars);
                }
                if (v == Boolean.TRUE) {
                    return Decision.deny(r.id, "hidden by rule '" + r.id + "'" + (r.requestDependent
                            ? " (denies whatever the arguments)" : ""));
                } else if (v instanceof CompiledRule.EvalError e && failed == null) {
                    failed = r;
                    failure = e;
                }
            }
        }
        if (failed != null) {
            return failedDecision(failed, failure);
        }
        for (CompiledRule r : allows[kind.ordinal()]) {
            if (r.matches(kind, name)) {
                Object v;
                if (r.requestDependent) {
                    if (partial == null) {
                        partial = PartialVars.of(vars.withoutRequest(), REQUEST_UNKNOWNS);
                    }
                    v = r.evalPartial(partial);
                } else {
                    v = r.eval(vars);
                }
                if (v == Boolean.TRUE || v == CompiledRule.UNKNOWN) {
                    return Decision.allow(r.id, allowedReason(r, v == CompiledRule.UNKNOWN
                            ? " for some arguments" : "", failed, failure));
                } else if (v instanceof CompiledRule.EvalError e && failed == null) {
                    failed = r;
                    failure = e;
                }
            }
        }
        if (failed != null) {
            return failedDecision(failed, failure);
        }
        return Decision.deny(Decision.DEFAULT_DENY, "no rule allows this " + TargetSelector.name(kind));
    }

    private static Decision failedDecision(CompiledRule r, CompiledRule.EvalError e) {
        return Decision.deny(r.id, "rule '" + r.id + "' could not be evaluated: " + e.message());
    }

    private static String allowedReason(CompiledRule r, String qualifier, CompiledRule failed,
                                        CompiledRule.EvalError failure) {
        String reason = "allowed by rule '" + r.id + "'" + qualifier;
        return failed == null ? reason
                : reason + " (rule '" + failed.id + "' could not be evaluated: " + failure.message() + ")";
    }

    private static PolicySet compile(List<PolicyRule> rules, String source) {
        List<String> problems = new ArrayList<>();
        List<CompiledRule> compiled = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rules.get(i);
            String at = "rules[" + i + "]" + (r.id() == null ? "" : " (id '" + r.id() + "')");
            int before = problems.size();
            if (r.id() == null || r.id().isEmpty()) {
                problems.add(at + ": missing id");
            } else if (!ID.matcher(r.id()).matches()) {
                problems.add(at + ": invalid id; use at most 128 letters, digits and . _ - : /");
            } else if (r.id().equals(Decision.DEFAULT_DENY)) {
                problems.add(at + ": the id '" + Decision.DEFAULT_DENY + "' is reserved for the implicit last rule");
            } else if (!ids.add(r.id())) {
                problems.add(at + ": duplicate id '" + r.id() + "' (ids must be unique)");
            }
            if (r.effect() == null) {
                problems.add(at + ": missing effect (allow or deny)");
            }
            List<TargetSelector> selectors = new ArrayList<>();
            if (r.targets() != null) {
                if (r.targets().isEmpty()) {
                    problems.add(at + ": empty targets; leave them out to select every target, or write \"*\"");
                }
                for (String t : r.targets()) {
                    List<String> why = new ArrayList<>();
                    TargetSelector.parse(t, why).ifPresent(selectors::add);
                    why.forEach(w -> problems.add(at + ": " + w));
                }
            }
            CelAbstractSyntaxTree ast = null;
            CelRuntime.Program program = null;
            String when = r.when();
            if (when == null || when.isBlank()) {
                problems.add(at + ": missing condition 'when' (write \"true\" for always)");
            } else if (when.getBytes(StandardCharsets.UTF_8).length > PolicyEnvironment.MAX_CONDITION_BYTES) {
                problems.add(at + ": the condition is " + when.getBytes(StandardCharsets.UTF_8).length
                        + " bytes long; the limit is " + PolicyEnvironment.MAX_CONDITION_BYTES);
            } else {
                CelValidationResult result = PolicyEnvironment.COMPILER.compile(when);
                if (result.hasError()) {
                    for (CelIssue issue : result.getErrors()) {
                        problems.add(at + ": condition error at line " + issue.getSourceLocation().getLine()
                                + ", column " + (issue.getSourceLocation().getColumn() + 1) + ": "
                                + issue.getMessage());
                    }
                } else {
                    try {
                        ast = result.getAst();
                        program = PolicyEnvironment.RUNTIME.createProgram(ast);
                    } catch (CelValidationException | CelEvaluationException e) {
                        problems.add(at + ": condition cannot be prepared: " + e.getMessage());
                    }
                }
            }
            if (problems.size() == before) {
                compiled.add(new CompiledRule(r, selectors, ast, program));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(source, problems);
        }
        return new PolicySet(compiled);
    }

    /** Builds a policy in code; {@link #build} compiles it and reports every problem, as for a file. */
    public static final class Builder {
        private final List<PolicyRule> rules = new ArrayList<>();

        private Builder() {
        }

        /** An allowing rule for one selector ({@code KIND:PATTERN} or {@code *}). */
        public Builder allow(String id, String selector, String when) {
            return rule(new PolicyRule(id, Effect.ALLOW, List.of(selector), when, null));
        }

        /** A denying rule for one selector ({@code KIND:PATTERN} or {@code *}). */
        public Builder deny(String id, String selector, String when) {
            return rule(new PolicyRule(id, Effect.DENY, List.of(selector), when, null));
        }

        /** Any rule, e.g. with several selectors or a description. */
        public Builder rule(PolicyRule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Compiles the rules added so far.
         *
         * @throws InvalidPolicyException listing every problem
         */
        public PolicySet build() {
            return compile(List.copyOf(rules), "(built in code)");
        }
    }
}
