package dev.mcpwarden.security.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.pipeline.Target.Kind;
import dev.mcpwarden.server.auth.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

class PolicyConcurrencyTest {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyConcurrencyTest.class);

    static final PolicySet SET = PolicySet.fromYaml("""
            rules:
              - id: admins
                effect: allow
                when: "'admin' in principal.roles"
              - id: same-tenant
                effect: allow
                targets: ["tool:invoice_*", "tool:report_*"]
                when: has(args.tenant) && args.tenant == principal.tenant && args.limit <= 100
              - id: no-contractor-deletes
                effect: deny
                targets: tool:delete_*
                when: principal.claims.employment == 'contractor'
              - id: prompts
                effect: allow
                targets: prompt:*
                when: principal.tenant != ''
            """);

    private static final List<Principal> PRINCIPALS = List.of(
            new Principal("iss", "alice", null, Set.of(), "acme", Set.of("admin"), Map.of("employment", "staff")),
            new Principal("iss", "bob", null, Set.of(), "acme", Set.of("user"), Map.of("employment", "contractor")),
            new Principal("iss", "eve", null, Set.of(), "globex", Set.of(), Map.of()),
            Principal.ANONYMOUS);
    private static final List<String> TOOLS = List.of("invoice_get", "report_run", "delete_user", "other");
    private static final List<JsonNode> ARGS = List.of(
            Json.standard().mapper().readTree("{\"tenant\":\"acme\",\"limit\":10}"),
            Json.standard().mapper().readTree("{\"tenant\":\"globex\",\"limit\":10}"),
            Json.standard().mapper().readTree("{\"tenant\":\"acme\",\"limit\":\"ten\"}"),
            Json.standard().mapper().readTree("{}"));

    /** Every decision of the grid, in a fixed order. */
    private static List<Decision> grid() {
        List<Decision> out = new ArrayList<>();
        for (Principal p : PRINCIPALS) {
            for (String t : TOOLS) {
                for (JsonNode a : ARGS) {
                    out.add(SET.decide(p, Kind.TOOL, t, "tools/call", a));
                }
                out.add(SET.decideVisibility(p, Kind.TOOL, t));
            }
            out.add(SET.decide(p, Kind.PROMPT, "greet", "prompts/get", null));
            out.add(SET.decideVisibility(p, Kind.PROMPT, "greet"));
        }
        return out;
    }

    @Test
    void manyThreadsDecidingAtOnceGetTheSameAnswers() throws Exception {
        List<Decision> expected = grid();
        assertThat(expected).extracting(Decision::ruleId).contains("admins", "same-tenant", "no-contractor-deletes",
                "prompts", "default-deny");
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<List<Decision>>> runs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                runs.add(pool.submit(() -> {
                    List<Decision> last = null;
                    for (int round = 0; round < 20; round++) {
                        last = grid();
                    }
                    return last;
                }));
            }
            for (Future<List<Decision>> run : runs) {
                assertThat(run.get()).isEqualTo(expected);
            }
        }
    }

    @Test
    void aHundredThousandDecisionsAreQuick() {
        Principal bob = PRINCIPALS.get(1);
        JsonNode args = ARGS.get(0);
        int n = 100_000;
        int allowed = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            allowed += SET.decide(bob, Kind.TOOL, "invoice_get", "tools/call", args).allowed() ? 1 : 0;
        }
        long callNanos = System.nanoTime() - start;
        start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            allowed += SET.decideVisibility(bob, Kind.TOOL, "invoice_get").allowed() ? 1 : 0;
        }
        long listNanos = System.nanoTime() - start;

        assertThat(allowed).isEqualTo(2 * n);
        LOG.info("policy decisions: {} calls in {} ms ({} ns each), {} visibility checks in {} ms ({} ns each)",
                n, callNanos / 1_000_000, callNanos / n, n, listNanos / 1_000_000, listNanos / n);
        System.out.printf("policy decisions: %d ns per call decision, %d ns per visibility decision%n",
                callNanos / n, listNanos / n);
    }
}
