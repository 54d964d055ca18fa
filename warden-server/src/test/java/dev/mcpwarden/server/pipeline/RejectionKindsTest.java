package dev.mcpwarden.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.core.jsonrpc.McpError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each kind of rejection maps to exactly one status, header set and JSON-RPC error: the table in docs/errors.md. */
class RejectionKindsTest {

    static final Path ERRORS = Path.of("..", "docs", "errors.md");

    static final Challenge BEARER = new Challenge("invalid_token", null,
            List.of(new Challenge.Scheme("Bearer", Map.of("error", "invalid_token"))), null);

    /** One example of every kind, by the kind's name. */
    static final Map<String, Rejection> EXAMPLES = Map.ofEntries(
            Map.entry("BadRequest", Rejection.badRequest("Bad Request: x")),
            Map.entry("Unauthorized", Rejection.unauthorized("Unauthorized: x", BEARER)),
            Map.entry("InsufficientScope", Rejection.insufficientScope("Forbidden: x", new Challenge(
                    "insufficient_scope", null, List.of(new Challenge.Scheme("Bearer", Map.of())), null))),
            Map.entry("Forbidden", Rejection.forbidden("Forbidden: x")),
            Map.entry("NotFound", Rejection.notFound("Session not found")),
            Map.entry("MethodNotAllowed", Rejection.methodNotAllowed("Method Not Allowed", "POST")),
            Map.entry("NotAcceptable", Rejection.notAcceptable("Not Acceptable: x")),
            Map.entry("Conflict", Rejection.conflict("Conflict: x")),
            Map.entry("RequestTimeout", Rejection.requestTimeout("Request Timeout: x")),
            Map.entry("PayloadTooLarge", Rejection.payloadTooLarge("Payload Too Large: x")),
            Map.entry("UnsupportedMediaType", Rejection.unsupportedMediaType("Unsupported Media Type: x")),
            Map.entry("RateLimited", Rejection.rateLimited("per-user", 20)),
            Map.entry("Unavailable", Rejection.unavailable("Service Unavailable: x", 5)),
            Map.entry("Internal", Rejection.internal("e-1")),
            Map.entry("Protocol", Rejection.protocol(McpError.invalidParams("Invalid params: x"), null, true)));

    /** The rows of the table between {@code <!-- NAME} and {@code <!-- end NAME -->}, as cells, header row dropped. */
    static List<List<String>> table(String name) throws IOException {
        String text = Files.readString(ERRORS);
        int from = text.indexOf("<!-- " + name);
        int to = text.indexOf("<!-- end " + name + " -->");
        assertThat(from).as("table " + name + " in docs/errors.md").isNotNegative();
        return text.substring(text.indexOf('\n', from) + 1, to).lines()
                .filter(l -> l.startsWith("|") && !l.startsWith("|---"))
                .skip(1)
                .map(l -> Arrays.stream(l.substring(1, l.length() - 1).split("\\|", -1)).map(String::strip)
                        .map(c -> c.replace("`", "")).toList())
                .toList();
    }

    /** The concrete kinds: the final classes under the sealed hierarchy. */
    static List<Class<?>> leaves(Class<?> sealed) {
        if (!sealed.isSealed()) {
            return List.of(sealed);
        }
        return Arrays.stream(sealed.getPermittedSubclasses()).flatMap(c -> leaves(c).stream()).toList();
    }

    @Test
    void everyKindOfRejectionIsDocumentedWithItsStatusCodeHeadersAndOutcome() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        table("rejection-kinds").forEach(r -> rows.put(r.get(0), r));
        Set<String> kinds = leaves(Rejection.class).stream().map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(new TreeSet<>(rows.keySet())).isEqualTo(kinds);
        assertThat(EXAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(kinds);
        for (String kind : kinds) {
            Rejection r = EXAMPLES.get(kind);
            List<String> row = rows.get(kind);
            assertThat(r.getClass().getSimpleName()).isEqualTo(kind);
            assertThat(r.toError().code()).as(kind + " code").isEqualTo(r.code());
            if (!kind.equals("Protocol")) { // its status and code are the next table's
                assertThat(Integer.toString(r.status())).as(kind + " status").isEqualTo(row.get(1));
                assertThat(Integer.toString(r.code())).as(kind + " JSON-RPC code").isEqualTo(row.get(2));
            }
            assertThat(Set.of(row.get(4).split("[^a-z_]+"))).as(kind + " outcome").contains(r.outcome());
            Set<String> documented = row.get(3).isEmpty() ? Set.of() : Set.of(row.get(3).split(",\\s*"));
            assertThat(r.headers().keySet()).as(kind + " headers").isEqualTo(documented);
        }
    }

    @Test
    void aProtocolErrorTakesItsStatusFromItsCodeAndTheEraAsDocumented() throws IOException {
        List<List<String>> rows = table("protocol-status");
        assertThat(rows).hasSize(9);
        for (List<String> row : rows) {
            McpError e = new McpError(Integer.parseInt(row.get(0)), "x");
            assertThat(Rejection.protocol(e, null, true).status()).as(row.get(1) + " on 2026-07-28")
                    .isEqualTo(Integer.parseInt(row.get(2)));
            assertThat(Rejection.protocol(e, null, false).status()).as(row.get(1) + " on 2025")
                    .isEqualTo(Integer.parseInt(row.get(3)));
        }
    }

    @Test
    void anUnauthorizedRejectionCarriesItsOAuthErrorAsAValueAndFormatsTheChallengeOnce() {
        Challenge c = new Challenge("invalid_token", "expired", List.of(
                new Challenge.Scheme("Bearer", Map.of("error", "invalid_token")),
                new Challenge.Scheme("DPoP", new LinkedHashMap<>(Map.of("algs", "ES256")))), "n-1");
        Rejection r = Rejection.unauthorized("Unauthorized: the access token is invalid or expired", c);
        assertThat(r.outcome()).isEqualTo("invalid_token");
        assertThat(((Rejection.Unauthorized) r).challenge().error()).isEqualTo("invalid_token");
        assertThat(r.headers()).isEqualTo(Map.of(
                "WWW-Authenticate", "Bearer error=\"invalid_token\", DPoP algs=\"ES256\"",
                "DPoP-Nonce", "n-1"));
        assertThat(Rejection.unauthorized("Unauthorized: a bearer token is required", new Challenge(null, null,
                List.of(new Challenge.Scheme("Bearer", Map.of())), null)).outcome()).isEqualTo("unauthorized");
    }

    @Test
    void anInternalReasonAndTheRequestIdTravelWithTheKindAndAreNeverInTheError() {
        Rejection r = Rejection.rateLimited("per-user", 20).because("rule per-user").withId(
                dev.mcpwarden.core.json.Json.nodes().numberNode(7));
        assertThat(r).isInstanceOf(Rejection.RateLimited.class);
        assertThat(r.reason()).isEqualTo("rule per-user");
        assertThat(r.id().asInt()).isEqualTo(7);
        assertThat(r.headers()).isEqualTo(Map.of("Retry-After", "20"));
        assertThat(r.toError().message()).isEqualTo("Too Many Requests: rate limit per-user exceeded");
        assertThat(r.toError().data().toString()).isEqualTo("{\"limit\":\"per-user\",\"retryAfterSeconds\":20}");
    }
}
