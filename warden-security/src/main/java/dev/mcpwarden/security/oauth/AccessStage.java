package dev.mcpwarden.security.oauth;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.audit.AuditNotes;
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
 * scopes of each tool, prompt or resource before it runs. Each decision about the call's own target, and every
 * target a list hides, goes to the call's {@link AuditNotes} with the rule that made it.
 */
final class AccessStage implements Stage<Call, JsonNode> {

    /** Scopes and policy rules are decided in memory. */
    @Override
    public boolean mayBlock() {
        return false;
    }


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
            AuditNotes.of(call).note("required_scopes", String.join(" ", methodScopes));
            throw challenges.insufficientScope(methodScopes);
        }
        call.access(new CallAccess(call, call.access(), principal, AuditNotes.of(call)));
        return chain.proceed(call);
    }

    /** What one call may reach; remembers the decision about its own target (several stages ask). */
    private final class CallAccess implements Access {
        private final Call call;
        private final Access previous;
        private final Principal principal;
        private final AuditNotes notes;
        private Kind decidedKind;
        private String decidedName;
        private AccessPolicy.Decision decided;

        CallAccess(Call call, Access previous, Principal principal, AuditNotes notes) {
            this.call = call;
            this.previous = previous;
            this.principal = principal;
            this.notes = notes;
        }

        @Override
        public boolean exists(Kind kind, String name) {
            return previous.exists(kind, name) && decide(kind, name).allowed();
        }

        private synchronized AccessPolicy.Decision decide(Kind kind, String name) {
            if (decided != null && kind == decidedKind && name.equals(decidedName)) {
                return decided;
            }
            JsonNode args = kind == Kind.TOOL && call.params().get("arguments") instanceof JsonNode a && a.isObject()
                    ? a : Json.object();
            AccessPolicy.Decision d = policy.decide(principal, kind, name, call.method(), args);
            decidedKind = kind;
            decidedName = name;
            decided = d;
            notes.policy(d.rule(), d.allowed(), d.reason());
            return d;
        }

        @Override
        public boolean listed(Kind kind, String name, Set<String> declared) {
            if (!previous.listed(kind, name, declared)) {
                return false;
            }
            AccessPolicy.Decision d = policy.visibility(principal, kind, name);
            if (!d.allowed()) {
                notes.hidden(kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name, d.rule());
                return false;
            }
            if (!principal.hasScopes(needed(kind, name, declared))) {
                notes.hidden(kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name, "scope");
                return false;
            }
            return true;
        }

        @Override
        public void authorize(Kind kind, String name, Set<String> declared) {
            previous.authorize(kind, name, declared);
            Set<String> needed = needed(kind, name, declared);
            if (!principal.hasScopes(needed)) {
                notes.note("required_scopes", String.join(" ", needed));
                throw challenges.insufficientScope(needed);
            }
        }
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
