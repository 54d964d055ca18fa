package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.auth.Access;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The MCP-level half of the resource server: method scopes are checked before anything runs (403 step-up); the
 * call's {@link Access} then hides what the policy denies, lists only what the caller can use, and demands the
 * scopes of each tool, prompt or resource before it runs.
 */
final class AccessStage implements Stage<Call, JsonNode> {

    private final ScopeRequirements requirements;
    private final AccessPolicy policy;
    private final Challenges challenges;

    AccessStage(ScopeRequirements requirements, AccessPolicy policy, Challenges challenges) {
        this.requirements = requirements;
        this.policy = policy;
        this.challenges = challenges;
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Principal principal = call.principal();
        Set<String> methodScopes = requirements.forMethod(call.method());
        if (!principal.hasScopes(methodScopes)) {
            throw challenges.insufficientScope(methodScopes);
        }
        call.access(new Access() {
            @Override
            public boolean exists(Kind kind, String name) {
                return policy.permits(principal, kind, name);
            }

            @Override
            public boolean listed(Kind kind, String name, Set<String> declared) {
                return exists(kind, name) && principal.hasScopes(needed(kind, name, declared));
            }

            @Override
            public void authorize(Kind kind, String name, Set<String> declared) {
                Set<String> needed = needed(kind, name, declared);
                if (!principal.hasScopes(needed)) {
                    throw challenges.insufficientScope(needed);
                }
            }
        });
        return chain.proceed(call);
    }

    private Set<String> needed(Access.Kind kind, String name, Set<String> declared) {
        Set<String> all = new LinkedHashSet<>(declared);
        all.addAll(requirements.forTarget(kind, name));
        return all;
    }

    @Override
    public String name() {
        return "access";
    }
}
