package dev.mcpwarden.security.policy;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.CelOptions;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment every condition is compiled in: the declared variables and their types, the standard library
 * with its macros, the {@code strings} and {@code sets} extensions, and the limits that bound evaluation.
 *
 * <p>{@code principal} and {@code target} are declared as struct types (backed by plain maps at run time), so a
 * misspelt field ({@code principal.rols}) is a load error rather than a denial at run time.
 */
final class PolicyEnvironment {

    /** Conditions longer than this (in UTF-8 bytes) are refused. */
    static final int MAX_CONDITION_BYTES = 4096;
    /** Every comprehension ({@code all}, {@code exists}, {@code map}, ...) of one evaluation shares this budget. */
    static final int MAX_ITERATIONS = 10_000;
    /** Parser nesting bound: no deeply nested expressions, hence no deep recursion when evaluating. */
    static final int MAX_NESTING = 32;
    /** Bound on the compiled size of a regular expression in {@code matches}. */
    static final int MAX_REGEX_PROGRAM_SIZE = 2_000;

    static final String PRINCIPAL = "principal";
    static final String TARGET = "target";
    static final String ARGS = "args";
    static final String METHOD = "method";

    static final StructType PRINCIPAL_TYPE = struct("warden.Principal", Map.of(
            "iss", SimpleType.STRING,
            "sub", SimpleType.STRING,
            "client_id", SimpleType.STRING,
            "tenant", SimpleType.STRING,
            "roles", ListType.create(SimpleType.STRING),
            "scopes", ListType.create(SimpleType.STRING),
            "claims", MapType.create(SimpleType.STRING, SimpleType.DYN)));

    static final StructType TARGET_TYPE = struct("warden.Target", Map.of(
            "kind", SimpleType.STRING,
            "name", SimpleType.STRING));

    static final CelOptions OPTIONS = CelOptions.current()
            .maxExpressionCodePointSize(MAX_CONDITION_BYTES)
            .maxParseRecursionDepth(MAX_NESTING)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .maxRegexProgramSize(MAX_REGEX_PROGRAM_SIZE)
            .enableHeterogeneousNumericComparisons(true) // JSON numbers: args.limit > 10 whether 12 or 12.5
            .errorOnIntWrap(true)
            .build();

    static final CelCompiler COMPILER;
    static final CelRuntime RUNTIME;

    static {
        CelTypeProvider types = new CelTypeProvider() {
            private final ImmutableList<CelType> all = ImmutableList.of(PRINCIPAL_TYPE, TARGET_TYPE);

            @Override
            public ImmutableCollection<CelType> types() {
                return all;
            }

            @Override
            public Optional<CelType> findType(String name) {
                return all.stream().filter(t -> t.name().equals(name)).findFirst();
            }
        };
        COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
                .setTypeProvider(types)
                .addVar(PRINCIPAL, PRINCIPAL_TYPE)
                .addVar(TARGET, TARGET_TYPE)
                .addVar(ARGS, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar(METHOD, SimpleType.STRING)
                .setResultType(SimpleType.BOOL)
                .build();
        RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(OPTIONS)
                .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
                .build();
    }

    private PolicyEnvironment() {
    }

    private static StructType struct(String name, Map<String, CelType> fields) {
        Map<String, CelType> ordered = new LinkedHashMap<>(fields);
        return StructType.create(name, ImmutableSet.copyOf(ordered.keySet()), f -> Optional.ofNullable(ordered.get(f)));
    }
}
