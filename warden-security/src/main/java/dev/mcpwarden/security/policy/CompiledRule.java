package dev.mcpwarden.security.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelUnknownSet;
import dev.cel.runtime.CelVariableResolver;
import dev.cel.runtime.PartialVars;
import dev.mcpwarden.server.pipeline.Target;
import java.util.List;
import java.util.Map;

/** A rule ready to run: its selectors, its compiled condition and what the condition reads. */
final class CompiledRule {

    /** Outcome of a partial evaluation that depends on what is unknown (the arguments or the method). */
    static final Object UNKNOWN = new Object();

    final PolicyRule rule;
    final String id;
    final Effect effect;
    private final List<TargetSelector> selectors; // empty: every target
    private final CelRuntime.Program program;
    /** Whether the condition reads {@code args} or {@code method}: whether it can differ between two calls. */
    final boolean requestDependent;
    /** Whether the condition reads {@code principal.claims}. */
    final boolean readsClaims;

    CompiledRule(PolicyRule rule, List<TargetSelector> selectors, CelAbstractSyntaxTree ast,
                 CelRuntime.Program program) {
        this.rule = rule;
        this.id = rule.id();
        this.effect = rule.effect();
        this.selectors = List.copyOf(selectors);
        this.program = program;
        boolean request = false;
        boolean claims = false;
        for (CelNavigableExpr n : (Iterable<CelNavigableExpr>) CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            // Over-approximations: a comprehension variable named like a declared one counts too.
            if (n.getKind() == CelExpr.ExprKind.Kind.IDENT) {
                String name = n.expr().ident().name();
                request |= name.equals(PolicyEnvironment.ARGS) || name.equals(PolicyEnvironment.METHOD);
            } else if (n.getKind() == CelExpr.ExprKind.Kind.SELECT) {
                CelExpr.CelSelect s = n.expr().select();
                claims |= s.field().equals("claims") && s.operand().getKind() == CelExpr.ExprKind.Kind.IDENT
                        && s.operand().ident().name().equals(PolicyEnvironment.PRINCIPAL);
            }
        }
        this.requestDependent = request;
        this.readsClaims = claims;
    }

    boolean appliesTo(Target.Kind kind) {
        if (selectors.isEmpty()) {
            return true;
        }
        for (TargetSelector s : selectors) {
            if (s.appliesTo(kind)) {
                return true;
            }
        }
        return false;
    }

    boolean matches(Target.Kind kind, String name) {
        if (selectors.isEmpty()) {
            return true;
        }
        for (TargetSelector s : selectors) {
            if (s.matches(kind, name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code Boolean.TRUE}, {@code Boolean.FALSE} or an {@link EvalError}. */
    Object eval(CelVariableResolver vars) {
        try {
            return bool(program.eval(vars));
        } catch (CelEvaluationException e) {
            return EvalError.of(e);
        } catch (RuntimeException | StackOverflowError e) {
            return new EvalError("evaluation failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Evaluation with parts of the input unknown: {@code Boolean.TRUE} or {@code Boolean.FALSE} when the condition
     * holds or fails whatever the unknowns are, {@link #UNKNOWN} when it depends on them, or an {@link EvalError}.
     */
    Object evalPartial(PartialVars vars) {
        try {
            Object v = program.eval(vars);
            return v instanceof CelUnknownSet ? UNKNOWN : bool(v);
        } catch (CelEvaluationException e) {
            return EvalError.of(e);
        } catch (RuntimeException | StackOverflowError e) {
            return new EvalError("evaluation failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Object bool(Object v) {
        if (v instanceof Boolean) {
            return v;
        }
        return new EvalError("the condition returned " + celType(v) + ", not bool");
    }

    private static String celType(Object v) {
        return switch (v) {
            case null -> "null";
            case Long l -> "int";
            case Double d -> "double";
            case String s -> "string";
            case List<?> l -> "list";
            case Map<?, ?> m -> "map";
            default -> v.getClass().getSimpleName();
        };
    }

    /** Why a condition could not be evaluated. Its text goes to the audit log, never to the client. */
    record EvalError(String message) {

        private static final int MAX = 300;

        static EvalError of(CelEvaluationException e) {
            String m = String.valueOf(e.getMessage());
            // "evaluation error at <input>:11: No matching overload ..." -> "at offset 11: No matching overload ..."
            String prefix = "evaluation error at <input>:";
            if (m.startsWith(prefix)) {
                m = "at offset " + m.substring(prefix.length());
            }
            m = m.replace('\n', ' ');
            return new EvalError(m.length() > MAX ? m.substring(0, MAX) + "..." : m);
        }
    }
}
