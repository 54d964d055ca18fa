package dev.mcpwarden.security.guard;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which guard checks which argument of which tool, as configuration for an {@link InputGuardStage}.
 *
 * @param guards by tool name, then by argument name
 */
public record InputGuardConfig(Map<String, Map<String, InputGuardSpec>> guards) {

    public InputGuardConfig {
        Objects.requireNonNull(guards, "guards");
        Map<String, Map<String, InputGuardSpec>> copy = new TreeMap<>();
        guards.forEach((tool, args) -> {
            if (tool == null || tool.isBlank()) {
                throw new IllegalArgumentException("input guards: tool name must not be blank, was '" + tool + "'");
            }
            if (args == null || args.isEmpty()) {
                throw new IllegalArgumentException("input guards of tool " + tool + ": at least one argument");
            }
            args.forEach((arg, spec) -> {
                if (arg == null || arg.isBlank()) {
                    throw new IllegalArgumentException("input guards of tool " + tool
                            + ": argument name must not be blank, was '" + arg + "'");
                }
                Objects.requireNonNull(spec, "guard of " + tool + "." + arg);
            });
            copy.put(tool, Map.copyOf(args));
        });
        guards = Map.copyOf(copy);
    }

    /** No argument is guarded. */
    public static InputGuardConfig none() {
        return new InputGuardConfig(Map.of());
    }

    /** The stage checking these arguments. */
    public InputGuardStage toStage() {
        InputGuardStage.Builder b = InputGuardStage.builder();
        guards.forEach((tool, args) -> args.forEach((arg, spec) -> b.guard(tool, arg, spec.create())));
        return b.build();
    }
}
