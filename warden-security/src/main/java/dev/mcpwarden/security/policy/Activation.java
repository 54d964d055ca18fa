package dev.mcpwarden.security.policy;

import dev.cel.runtime.CelVariableResolver;
import dev.mcpwarden.server.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The variables of one decision. Each is built on first use and then reused by every rule of the decision: a
 * decision whose rules never read {@code args} never looks at the arguments.
 */
final class Activation implements CelVariableResolver {

    private final Principal principal;
    private final boolean withClaims;
    private final String kind;
    private final String name;
    private final String method;
    private final JsonNode args;
    private Optional<Object> principalValue;
    private Optional<Object> targetValue;
    private Optional<Object> argsValue;
    private Optional<Object> methodValue;

    Activation(Principal principal, boolean withClaims, String kind, String name, String method, JsonNode args) {
        this.principal = principal;
        this.withClaims = withClaims;
        this.kind = kind;
        this.name = name;
        this.method = method;
        this.args = args;
    }

    @Override
    public Optional<Object> find(String variable) {
        return switch (variable) {
            case PolicyEnvironment.PRINCIPAL -> principalValue != null ? principalValue
                    : (principalValue = Optional.of(principal(principal, withClaims)));
            case PolicyEnvironment.TARGET -> targetValue != null ? targetValue
                    : (targetValue = Optional.of(Map.of("kind", kind, "name", name)));
            case PolicyEnvironment.ARGS -> argsValue != null ? argsValue
                    : (argsValue = Optional.of(CelValues.args(args)));
            case PolicyEnvironment.METHOD -> methodValue != null ? methodValue
                    : (methodValue = Optional.of(method == null ? "" : method));
            default -> Optional.empty();
        };
    }

    /**
     * These variables without {@code args} and {@code method}, for partial evaluation with both unknown (a resolved
     * variable would take precedence over the unknown patterns).
     */
    CelVariableResolver withoutRequest() {
        return variable -> variable.equals(PolicyEnvironment.ARGS) || variable.equals(PolicyEnvironment.METHOD)
                ? Optional.empty() : find(variable);
    }

    /** The {@code principal} variable: every field present; absent strings are empty. */
    static Map<String, Object> principal(Principal p, boolean withClaims) {
        return Map.of(
                "iss", p.issuer(),
                "sub", p.subject(),
                "client_id", p.clientId() == null ? "" : p.clientId(),
                "tenant", p.tenant() == null ? "" : p.tenant(),
                "roles", List.copyOf(p.roles()),
                "scopes", List.copyOf(p.scopes()),
                "claims", withClaims ? CelValues.claims(p.claims()) : Map.of());
    }
}
