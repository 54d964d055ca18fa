package dev.mcpwarden.security.oauth;

import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.backend.Listing;
import dev.mcpwarden.server.backend.Missing;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.DefinitionsAware;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Authorization, as one stage at its position of the recipe, deciding on the request's typed target against the
 * backend's definitions, so that it holds for any backend:
 * <ol>
 *   <li>the method's scopes (403 step-up when missing);</li>
 *   <li>the target must exist and the policy must allow it; otherwise the request is answered exactly like one for
 *       something that does not exist ({@link Missing}), before any later stage (the rate limit) sees it;</li>
 *   <li>the target's scopes: those the backend declares for it and those configured (403 step-up);</li>
 *   <li>on the way back, lists keep only what the caller could use: allowed by the policy's visibility rules and
 *       covered by the caller's scopes.</li>
 * </ol>
 * Each decision about the call's own target, and every target a list hides, goes to the event stream ({@link ControlEvent}).
 */
final class AuthorizationStage implements Stage<Call, JsonNode>, DefinitionsAware {

    private final ScopeRequirements requirements;
    private final AccessPolicy policy;
    private final Challenges challenges;
    private volatile Definitions definitions;

    AuthorizationStage(ScopeRequirements requirements, AccessPolicy policy, Challenges challenges) {
        this.requirements = requirements;
        this.policy = policy;
        this.challenges = challenges;
    }

    /** Scopes and policy rules are decided in memory. */
    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public void attach(Definitions definitions) {
        if (this.definitions != null && this.definitions != definitions) {
            throw new IllegalStateException("an authorization stage serves one backend");
        }
        this.definitions = definitions;
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Definitions defs = definitions;
        if (defs == null) {
            throw new IllegalStateException("the authorization stage was not attached to a backend (install it "
                    + "with McpServer.Builder.controls)");
        }
        Principal principal = call.principal();
        Set<String> methodScopes = requirements.forMethod(call.method());
        if (!principal.hasScopes(methodScopes)) {
            SecurityEvents.report(call, new ControlEvent.ScopesMissing(methodScopes));
            throw challenges.insufficientScope(methodScopes);
        }
        Target target = call.target();
        if (target != null) {
            Optional<Definitions.Entry> entry = defs.resolve(target);
            if (entry.isEmpty()) {
                throw Missing.answer(call.method(), target, call.modern());
            }
            Target.Kind kind = entry.get().kind();
            String name = entry.get().name();
            JsonNode args = kind == Target.Kind.TOOL ? target.arguments() : Json.object();
            AccessPolicy.Decision d = policy.decide(principal, kind, name, call.method(), args);
            SecurityEvents.report(call, new ControlEvent.PolicyDecided(d.rule(), d.allowed(), d.reason()));
            if (!d.allowed()) {
                throw Missing.answer(call.method(), target, call.modern());
            }
            Set<String> needed = needed(kind, name, entry.get().requiredScopes());
            if (!principal.hasScopes(needed)) {
                SecurityEvents.report(call, new ControlEvent.ScopesMissing(needed));
                throw challenges.insufficientScope(needed);
            }
        }
        JsonNode result = chain.proceed(call);
        Target.Kind listed = Listing.kindOf(call.method());
        if (listed == null) {
            return result;
        }
        return Listing.filter(call.method(), result, (name, json) -> visible(defs, call, listed, name));
    }

    private boolean visible(Definitions defs, Call call, Target.Kind kind, String name) {
        Principal principal = call.principal();
        AccessPolicy.Decision d = policy.visibility(principal, kind, name);
        if (!d.allowed()) {
            SecurityEvents.report(call, new ControlEvent.Hidden(kind.word() + ":" + name, d.rule()));
            return false;
        }
        Set<String> declared = defs.find(kind, name).map(Definitions.Entry::requiredScopes).orElse(Set.of());
        if (!principal.hasScopes(needed(kind, name, declared))) {
            SecurityEvents.report(call, new ControlEvent.Hidden(kind.word() + ":" + name, "scope"));
            return false;
        }
        return true;
    }

    private Set<String> needed(Target.Kind kind, String name, Set<String> declared) {
        Set<String> configured = requirements.forTarget(kind, name);
        if (configured.isEmpty()) {
            return declared;
        }
        Set<String> all = new LinkedHashSet<>(declared);
        all.addAll(configured);
        return all;
    }

    @Override
    public String name() {
        return "authorization";
    }
}
