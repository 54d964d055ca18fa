package dev.mcpwarden.security.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.pipeline.Target.Kind;
import dev.mcpwarden.server.auth.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PolicySetTest {

    static final Principal ALICE = new Principal("https://idp", "alice", "app", Set.of("reports:read"), "acme",
            Set.of("admin"), Map.of("employment", "staff", "level", 3));
    static final Principal BOB = new Principal("https://idp", "bob", null, Set.of(), "acme", Set.of("user"),
            Map.of("employment", "contractor"));
    static final Principal EVE = new Principal("https://idp", "eve", null, Set.of(), "globex", Set.of("user"),
            Map.of());

    static JsonNode json(String s) {
        return Json.standard().mapper().readTree(s);
    }

    static Decision call(PolicySet set, Principal p, String tool, String args) {
        return set.decide(p, Kind.TOOL, tool, "tools/call", args == null ? null : json(args));
    }

    @Nested
    class Combining {

        @Test
        void anAllowRuleOnARoleAllowsThePrincipalsWithThatRole() {
            PolicySet set = PolicySet.builder().allow("admins", "*", "'admin' in principal.roles").build();

            assertThat(call(set, ALICE, "anything", "{}"))
                    .isEqualTo(new Decision(true, "admins", Effect.ALLOW, "allowed by rule 'admins'"));
            assertThat(call(set, BOB, "anything", "{}"))
                    .isEqualTo(new Decision(false, "default-deny", Effect.DENY, "no rule allows this tool"));
        }

        @Test
        void anArgumentCanBeMatchedAgainstThePrincipalsTenant() {
            PolicySet set = PolicySet.builder()
                    .allow("same-tenant", "tool:invoice_*", "args.tenant == principal.tenant").build();

            assertThat(call(set, BOB, "invoice_list", "{\"tenant\":\"acme\"}").ruleId()).isEqualTo("same-tenant");
            assertThat(call(set, BOB, "invoice_list", "{\"tenant\":\"acme\"}").allowed()).isTrue();
            assertThat(call(set, EVE, "invoice_list", "{\"tenant\":\"acme\"}").ruleId()).isEqualTo("default-deny");
            assertThat(call(set, EVE, "invoice_list", "{\"tenant\":\"acme\"}").allowed()).isFalse();
        }

        @Test
        void aDenyThatHoldsOverridesAnAllowThatHolds() {
            PolicySet set = PolicySet.builder()
                    .allow("everyone", "*", "true")
                    .deny("no-contractor-deletes", "tool:delete_*", "principal.claims.employment == 'contractor'")
                    .build();

            assertThat(call(set, BOB, "delete_user", "{}")).isEqualTo(new Decision(false, "no-contractor-deletes",
                    Effect.DENY, "denied by rule 'no-contractor-deletes'"));
            assertThat(call(set, BOB, "list_users", "{}").ruleId()).isEqualTo("everyone");
            assertThat(call(set, ALICE, "delete_user", "{}").ruleId()).isEqualTo("everyone");
        }

        @Test
        void theFirstAllowThatHoldsInFileOrderIsTheDecidingRule() {
            PolicySet set = PolicySet.builder()
                    .allow("first", "*", "principal.sub == 'alice'")
                    .allow("second", "*", "true")
                    .build();

            assertThat(call(set, ALICE, "t", "{}").ruleId()).isEqualTo("first");
            assertThat(call(set, BOB, "t", "{}").ruleId()).isEqualTo("second");
        }

        @Test
        void whenNoRuleMatchesTheDefaultRuleDenies() {
            PolicySet set = PolicySet.builder().allow("prompts", "prompt:*", "true").build();

            assertThat(call(set, ALICE, "t", "{}"))
                    .isEqualTo(new Decision(false, "default-deny", Effect.DENY, "no rule allows this tool"));
            assertThat(set.decide(ALICE, Kind.PROMPT, "p", "prompts/get", null).allowed()).isTrue();
        }

        @Test
        void anEmptyPolicySetDeniesEverything() {
            PolicySet set = PolicySet.builder().build();

            for (Kind k : Kind.values()) {
                assertThat(set.decide(ALICE, k, "x", "m", null).ruleId()).isEqualTo("default-deny");
                assertThat(set.decide(ALICE, k, "x", "m", null).allowed()).isFalse();
                assertThat(set.decideVisibility(ALICE, k, "x").allowed()).isFalse();
            }
            assertThat(PolicySet.fromYaml("rules: []").decide(ALICE, Kind.TOOL, "x", "m", null).allowed()).isFalse();
        }

        @Test
        void targetAndMethodAreVariables() {
            PolicySet set = PolicySet.builder()
                    .allow("by-target", "*", "target.kind == 'prompt' && target.name.startsWith('greet')")
                    .allow("by-method", "*", "method == 'resources/read'")
                    .build();

            assertThat(set.decide(BOB, Kind.PROMPT, "greeting", "prompts/get", null).ruleId()).isEqualTo("by-target");
            assertThat(set.decide(BOB, Kind.TOOL, "greeting", "tools/call", null).ruleId()).isEqualTo("default-deny");
            assertThat(set.decide(BOB, Kind.RESOURCE, "file:///a", "resources/read", null).ruleId())
                    .isEqualTo("by-method");
            assertThat(set.decide(BOB, Kind.RESOURCE, "file:///a", "resources/subscribe", null).allowed()).isFalse();
        }

        @Test
        void principalFieldsAreAllAvailableAndAbsentOnesAreEmpty() {
            PolicySet set = PolicySet.builder()
                    .allow("fields", "*", "principal.iss == 'https://idp' && principal.client_id == ''"
                            + " && principal.tenant == 'acme' && principal.scopes.size() == 0"
                            + " && principal.roles == ['user'] && principal.sub == 'bob'")
                    .build();

            assertThat(call(set, BOB, "t", null).ruleId()).isEqualTo("fields");
            assertThat(set.decide(Principal.ANONYMOUS, Kind.TOOL, "t", "tools/call", null).allowed()).isFalse();
        }

        @Test
        void claimsAreNormalizedToCelTypes() {
            PolicySet set = PolicySet.builder()
                    .allow("level", "*", "principal.claims.level >= 3 && principal.claims.level < 3.5").build();

            assertThat(call(set, ALICE, "t", null).allowed()).isTrue(); // Integer 3 became int
        }

        @Test
        void argumentsOfEveryJsonTypeAreAvailable() {
            PolicySet set = PolicySet.builder()
                    .allow("types", "*", "args.s == 'x' && args.i == 3 && args.d > 2.5 && args.b"
                            + " && args.n == null && args.l.size() == 2 && args.l[1].k == 'v'"
                            + " && args.o.p.q == 1 && 'p' in args.o && args.l.exists(e, e == 1)")
                    .build();

            assertThat(call(set, BOB, "t", """
                    {"s":"x","i":3,"d":2.75,"b":true,"n":null,"l":[1,{"k":"v"}],"o":{"p":{"q":1}}}""").ruleId())
                    .isEqualTo("types");
        }

        @Test
        void numbersOfDifferentTypesCompareAsNumbers() {
            PolicySet set = PolicySet.builder().allow("limit", "*", "args.limit <= 10").build();

            assertThat(call(set, BOB, "t", "{\"limit\":10}").allowed()).isTrue();
            assertThat(call(set, BOB, "t", "{\"limit\":9.5}").allowed()).isTrue();
            assertThat(call(set, BOB, "t", "{\"limit\":10.5}").allowed()).isFalse();
            assertThat(call(set, BOB, "t", "{\"limit\":100000000000000000000}").allowed()).isFalse();
        }

        @Test
        void argumentsThatAreNotAnObjectAreAnEmptyMap() {
            PolicySet set = PolicySet.builder().allow("no-args", "*", "args.size() == 0").build();

            assertThat(call(set, BOB, "t", null).allowed()).isTrue();
            assertThat(call(set, BOB, "t", "[1,2]").allowed()).isTrue();
            assertThat(call(set, BOB, "t", "{\"a\":1}").allowed()).isFalse();
        }

        @Test
        void theStringsAndSetsExtensionsAreAvailable() {
            PolicySet set = PolicySet.builder()
                    .allow("ext", "*", "args.name.lowerAscii() == 'report' && sets.intersects(principal.roles, ['user', 'x'])")
                    .build();

            assertThat(call(set, BOB, "t", "{\"name\":\"RePort\"}").allowed()).isTrue();
            assertThat(call(set, ALICE, "t", "{\"name\":\"RePort\"}").allowed()).isFalse();
        }
    }

    @Nested
    class EvaluationErrors {

        @Test
        void aComparisonWithAValueOfTheWrongTypeDenies() {
            PolicySet set = PolicySet.builder().allow("limit", "*", "args.limit > 10").build();

            Decision d = call(set, BOB, "t", "{\"limit\":\"eleven\"}");
            assertThat(d.allowed()).isFalse();
            assertThat(d.effect()).isEqualTo(Effect.DENY);
            assertThat(d.ruleId()).isEqualTo("limit");
            assertThat(d.reason()).startsWith("rule 'limit' could not be evaluated: at offset 11: No matching"
                    + " overload for function '_>_'. Overload candidates: ");
        }

        @Test
        void aMissingKeyReadWithoutHasDenies() {
            PolicySet set = PolicySet.builder().allow("owner", "*", "args.owner == principal.sub").build();

            Decision d = call(set, BOB, "t", "{}");
            assertThat(d.allowed()).isFalse();
            assertThat(d.ruleId()).isEqualTo("owner");
            assertThat(d.reason()).isEqualTo("rule 'owner' could not be evaluated: at offset 4: key 'owner' is not"
                    + " present in map.");
        }

        @Test
        void hasGuardsAMissingKey() {
            PolicySet set = PolicySet.builder().allow("owner", "*", "has(args.owner) && args.owner == principal.sub")
                    .build();

            assertThat(call(set, BOB, "t", "{}").ruleId()).isEqualTo("default-deny");
            assertThat(call(set, BOB, "t", "{\"owner\":\"bob\"}").ruleId()).isEqualTo("owner");
        }

        @Test
        void aDenyRuleThatFailsDeniesEvenWhenAnAllowHolds() {
            PolicySet set = PolicySet.builder()
                    .allow("everyone", "*", "true")
                    .deny("no-root", "*", "args.path.startsWith('/root')")
                    .build();

            Decision d = call(set, BOB, "read", "{}");
            assertThat(d.allowed()).isFalse();
            assertThat(d.ruleId()).isEqualTo("no-root");
            assertThat(d.reason()).startsWith("rule 'no-root' could not be evaluated: ");
        }

        @Test
        void aDenyThatHoldsIsReportedBeforeAnotherDenyThatFails() {
            PolicySet set = PolicySet.builder()
                    .deny("broken", "*", "args.missing == 1")
                    .deny("bob", "*", "principal.sub == 'bob'")
                    .build();

            assertThat(call(set, BOB, "t", "{}").ruleId()).isEqualTo("bob");
            assertThat(call(set, ALICE, "t", "{}").ruleId()).isEqualTo("broken");
        }

        @Test
        void anAllowThatFailsIsIgnoredWhenAnotherAllowHoldsWhateverTheOrder() {
            PolicySet set = PolicySet.builder()
                    .allow("owners", "*", "args.owner == principal.sub")
                    .allow("admins", "*", "'admin' in principal.roles")
                    .build();

            Decision d = call(set, ALICE, "t", "{}");
            assertThat(d.allowed()).isTrue();
            assertThat(d.ruleId()).isEqualTo("admins");
            assertThat(d.reason()).isEqualTo("allowed by rule 'admins' (rule 'owners' could not be evaluated:"
                    + " at offset 4: key 'owner' is not present in map.)");
            Decision bob = call(set, BOB, "t", "{}");
            assertThat(bob.allowed()).isFalse();
            assertThat(bob.ruleId()).isEqualTo("owners");
        }

        @Test
        void aNonBooleanResultDenies() {
            PolicySet set = PolicySet.builder().allow("dyn", "*", "args.flag").build();

            assertThat(call(set, BOB, "t", "{\"flag\":true}").allowed()).isTrue();
            Decision d = call(set, BOB, "t", "{\"flag\":\"yes\"}");
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).isEqualTo("rule 'dyn' could not be evaluated: the condition returned string, not bool");
        }

        @Test
        void anOverflowDenies() {
            PolicySet set = PolicySet.builder().allow("sum", "*", "args.a + args.b > 0").build();

            Decision d = call(set, BOB, "t", "{\"a\":9223372036854775807,\"b\":1}");
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).contains("overflow");
        }

        @Test
        void comprehensionsAreBoundedAndExceedingTheBoundDenies() {
            PolicySet set = PolicySet.builder()
                    .allow("quadratic", "*", "args.l.all(x, args.l.all(y, x != y || x == y))").build();
            String small = "{\"l\":" + range(50) + "}";
            String large = "{\"l\":" + range(200) + "}";

            assertThat(call(set, BOB, "t", small).allowed()).isTrue();
            Decision d = call(set, BOB, "t", large);
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).contains("Iteration budget exceeded: 10000");
        }

        private static String range(int n) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? "" : ",").append(i);
            }
            return b.append(']').toString();
        }
    }

    @Nested
    class Selectors {

        @Test
        void globsSelectTargetsOfEachKind() {
            PolicySet set = PolicySet.builder()
                    .allow("tools", "tool:delete_*", "true")
                    .allow("prompts", "prompt:*", "true")
                    .allow("reports", "resource:file:///reports/*", "true")
                    .allow("templates", "resource_template:db://*/tables/{table}", "true")
                    .allow("middle", "tool:a*b*c", "true")
                    .build();

            assertThat(set.decide(BOB, Kind.TOOL, "delete_user", "tools/call", null).ruleId()).isEqualTo("tools");
            assertThat(set.decide(BOB, Kind.TOOL, "delete_", "tools/call", null).ruleId()).isEqualTo("tools");
            assertThat(set.decide(BOB, Kind.TOOL, "undelete_user", "tools/call", null).allowed()).isFalse();
            assertThat(set.decide(BOB, Kind.PROMPT, "anything", "prompts/get", null).ruleId()).isEqualTo("prompts");
            assertThat(set.decide(BOB, Kind.RESOURCE, "file:///reports/2024/q1.pdf", "resources/read", null).ruleId())
                    .isEqualTo("reports");
            assertThat(set.decide(BOB, Kind.RESOURCE, "file:///etc/passwd", "resources/read", null).allowed())
                    .isFalse();
            assertThat(set.decide(BOB, Kind.RESOURCE_TEMPLATE, "db://main/tables/{table}", "resources/read", null)
                    .ruleId()).isEqualTo("templates");
            assertThat(set.decide(BOB, Kind.RESOURCE, "db://main/tables/{table}", "resources/read", null).allowed())
                    .isFalse();
            assertThat(set.decide(BOB, Kind.TOOL, "abc", "tools/call", null).ruleId()).isEqualTo("middle");
            assertThat(set.decide(BOB, Kind.TOOL, "a-b-b-c", "tools/call", null).ruleId()).isEqualTo("middle");
            assertThat(set.decide(BOB, Kind.TOOL, "acb", "tools/call", null).allowed()).isFalse();
            assertThat(set.decide(BOB, Kind.TOOL, "abcx", "tools/call", null).allowed()).isFalse();
        }

        @Test
        void anExactSelectorMatchesOnlyThatNameCaseSensitively() {
            PolicySet set = PolicySet.builder().allow("one", "tool:search", "true").build();

            assertThat(set.decide(BOB, Kind.TOOL, "search", "tools/call", null).allowed()).isTrue();
            assertThat(set.decide(BOB, Kind.TOOL, "Search", "tools/call", null).allowed()).isFalse();
            assertThat(set.decide(BOB, Kind.TOOL, "search2", "tools/call", null).allowed()).isFalse();
            assertThat(set.decide(BOB, Kind.PROMPT, "search", "prompts/get", null).allowed()).isFalse();
        }

        @Test
        void anyKindAndEverythingSelectors() {
            PolicySet set = PolicySet.builder()
                    .allow("any-kind", "*:report*", "true")
                    .rule(new PolicyRule("several", Effect.ALLOW, List.of("tool:x", "prompt:y"), "true", null))
                    .build();

            assertThat(set.decide(BOB, Kind.PROMPT, "reports", "prompts/get", null).ruleId()).isEqualTo("any-kind");
            assertThat(set.decide(BOB, Kind.RESOURCE, "report://1", "resources/read", null).ruleId())
                    .isEqualTo("any-kind");
            assertThat(set.decide(BOB, Kind.TOOL, "x", "tools/call", null).ruleId()).isEqualTo("several");
            assertThat(set.decide(BOB, Kind.PROMPT, "y", "prompts/get", null).ruleId()).isEqualTo("several");
            assertThat(set.decide(BOB, Kind.PROMPT, "x", "prompts/get", null).allowed()).isFalse();
        }

        @Test
        void unicodeNamesMatchAsWritten() {
            PolicySet set = PolicySet.builder()
                    .allow("überblick", "tool:bericht_*_größe", "target.name.endsWith('größe')")
                    .allow("emoji", "prompt:😀*", "true")
                    .build();

            assertThat(set.decide(BOB, Kind.TOOL, "bericht_jährlich_größe", "tools/call", null).ruleId())
                    .isEqualTo("überblick");
            assertThat(set.decide(BOB, Kind.TOOL, "bericht_jährlich_grösse", "tools/call", null).allowed()).isFalse();
            assertThat(set.decide(BOB, Kind.PROMPT, "😀 smile", "prompts/get", null).ruleId()).isEqualTo("emoji");
            assertThat(call(PolicySet.builder().allow("u", "*", "args.name == '日本'").build(), BOB, "t",
                    "{\"name\":\"日本\"}").allowed()).isTrue();
        }
    }

    @Nested
    class Visibility {

        @Test
        void argumentIndependentRulesDecideVisibilityAsForACall() {
            PolicySet set = PolicySet.builder()
                    .allow("admins", "*", "'admin' in principal.roles")
                    .deny("no-contractors", "tool:delete_*", "principal.claims.employment == 'contractor'")
                    .build();

            assertThat(set.decideVisibility(ALICE, Kind.TOOL, "delete_user"))
                    .isEqualTo(new Decision(true, "admins", Effect.ALLOW, "allowed by rule 'admins'"));
            assertThat(set.decideVisibility(BOB, Kind.TOOL, "delete_user")).isEqualTo(new Decision(false,
                    "no-contractors", Effect.DENY, "hidden by rule 'no-contractors'"));
            assertThat(set.decideVisibility(BOB, Kind.TOOL, "list_users").ruleId()).isEqualTo("default-deny");
        }

        @Test
        void anArgumentDependentAllowShowsTheTargetWhenSomeCallCouldBeAllowed() {
            PolicySet set = PolicySet.builder()
                    .allow("same-tenant", "tool:invoice_*", "args.tenant == principal.tenant").build();

            assertThat(set.isRequestDependent("same-tenant")).isTrue();
            assertThat(set.decideVisibility(EVE, Kind.TOOL, "invoice_list")).isEqualTo(new Decision(true,
                    "same-tenant", Effect.ALLOW, "allowed by rule 'same-tenant' for some arguments"));
            assertThat(set.decideVisibility(EVE, Kind.TOOL, "other").allowed()).isFalse();
        }

        @Test
        void anArgumentDependentAllowThatFailsForThePrincipalWhateverTheArgumentsHidesTheTarget() {
            PolicySet set = PolicySet.builder()
                    .allow("admins-small", "*", "'admin' in principal.roles && args.limit < 10").build();

            assertThat(set.decideVisibility(ALICE, Kind.TOOL, "t").allowed()).isTrue();
            assertThat(set.decideVisibility(BOB, Kind.TOOL, "t"))
                    .isEqualTo(new Decision(false, "default-deny", Effect.DENY, "no rule allows this tool"));
        }

        @Test
        void anArgumentDependentDenyDoesNotHideTheTarget() {
            PolicySet set = PolicySet.builder()
                    .allow("everyone", "*", "true")
                    .deny("no-root", "tool:read_file", "args.path.startsWith('/root')")
                    .build();

            assertThat(set.decideVisibility(BOB, Kind.TOOL, "read_file").ruleId()).isEqualTo("everyone");
            assertThat(call(set, BOB, "read_file", "{\"path\":\"/root/x\"}").ruleId()).isEqualTo("no-root");
            assertThat(call(set, BOB, "read_file", "{\"path\":\"/tmp/x\"}").ruleId()).isEqualTo("everyone");
        }

        @Test
        void anArgumentDependentDenyThatHoldsWhateverTheArgumentsHidesTheTarget() {
            PolicySet set = PolicySet.builder()
                    .allow("everyone", "*", "true")
                    .deny("guests", "*", "'user' in principal.roles || args.force == true")
                    .build();

            assertThat(set.decideVisibility(BOB, Kind.TOOL, "t")).isEqualTo(new Decision(false, "guests",
                    Effect.DENY, "hidden by rule 'guests' (denies whatever the arguments)"));
            assertThat(set.decideVisibility(ALICE, Kind.TOOL, "t").ruleId()).isEqualTo("everyone");
        }

        @Test
        void aMethodDependentRuleIsTreatedLikeAnArgumentDependentOne() {
            PolicySet set = PolicySet.builder()
                    .allow("reads", "resource:*", "method == 'resources/read'")
                    .deny("no-subscribe", "resource:*", "method == 'resources/subscribe'")
                    .build();

            assertThat(set.isRequestDependent("reads")).isTrue();
            assertThat(set.decideVisibility(BOB, Kind.RESOURCE, "file:///x").ruleId()).isEqualTo("reads");
        }

        @Test
        void aDenyThatFailsHidesTheTarget() {
            PolicySet set = PolicySet.builder()
                    .allow("everyone", "*", "true")
                    .deny("level", "*", "principal.claims.level < 2")
                    .build();

            assertThat(set.decideVisibility(ALICE, Kind.TOOL, "t").ruleId()).isEqualTo("everyone");
            Decision d = set.decideVisibility(BOB, Kind.TOOL, "t");
            assertThat(d.allowed()).isFalse();
            assertThat(d.ruleId()).isEqualTo("level");
            assertThat(d.reason()).contains("could not be evaluated").contains("level");
        }

        @Test
        void requestDependenceIsFoundInTheCheckedSyntaxTree() {
            PolicySet set = PolicySet.builder()
                    .allow("principal-only", "*", "principal.sub == 'args'")
                    .allow("shadowed", "*", "['a'].exists(args, args == 'a')")
                    .allow("nested", "*", "principal.roles.exists(r, r == args.role)")
                    .allow("has", "*", "has(args.x)")
                    .build();

            assertThat(set.isRequestDependent("principal-only")).isFalse();
            assertThat(set.isRequestDependent("shadowed")).isTrue(); // conservative: a variable named args counts
            assertThat(set.isRequestDependent("nested")).isTrue();
            assertThat(set.isRequestDependent("has")).isTrue();
            assertThatThrownBy(() -> set.isRequestDependent("nope")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
