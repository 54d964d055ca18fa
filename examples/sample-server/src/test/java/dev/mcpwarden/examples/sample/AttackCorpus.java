package dev.mcpwarden.examples.sample;

import com.nimbusds.jose.JOSEObjectType;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.testkit.Processes;
import dev.mcpwarden.testkit.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Reads the attack and benign corpora (the project's own, and the shared one where present) and mints the tokens their cases describe. */
final class AttackCorpus {

    /** The principals of the sample contract: sub, tenant, roles, scope. */
    static final Map<String, String[]> PRINCIPALS = Map.of(
            "alice", new String[] {"alice", "acme", "agent", "tickets:read tickets:write"},
            "bob", new String[] {"bob", "globex", "agent", "tickets:read"},
            "carol", new String[] {"carol", "acme", "admin", "tickets:read tickets:write admin"},
            "reader", new String[] {"dave", "acme", "agent", "tickets:read"});

    private AttackCorpus() {
    }

    /**
     * A corpus: the project's own (committed beside the sample, always run) or the shared one beside the repository
     * (run as well where present), with how many cases of each file the tests expect and which attack cases are
     * served rather than refused.
     */
    record Corpus(String name, Path folder, int attacks, int benign, java.util.Set<String> served) {
        List<JsonNode> cases(String file, List<String> prefixes) throws Exception {
            return AttackCorpus.cases(folder, file, prefixes);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The project's own corpus: {@code examples/sample-server/corpus}, new cases of the shared corpus's classes. */
    static Corpus own() {
        return new Corpus("own", Processes.repoRoot().resolve("examples/sample-server/corpus"), 50, 8,
                java.util.Set.of("TENANT-W02"));
    }

    /** The shared corpus folder, {@code ../shared/security} beside the repository, if it is there. */
    static java.util.Optional<Corpus> shared() {
        Path p = Processes.repoRoot().getParent().resolve("shared/security");
        if (!Files.isRegularFile(p.resolve("attacks.json")) || !Files.isRegularFile(p.resolve("benign.json"))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Corpus("shared", p, 55, 9,
                java.util.Set.of("AUTH-14", "TENANT-02", "SESSION-02")));
    }

    /** The corpora to run: the project's own, and the shared one where present. */
    static List<Corpus> all() {
        List<Corpus> out = new ArrayList<>(List.of(own()));
        shared().ifPresent(out::add);
        return out;
    }

    static List<JsonNode> cases(Path folder, String file, List<String> prefixes) throws Exception {
        JsonNode doc = Json.withMaxDepth(200).parse(Files.readAllBytes(folder.resolve(file)));
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : doc.get("cases")) {
            String id = c.get("id").asString();
            if (prefixes.stream().anyMatch(p -> id.startsWith(p + "-"))) {
                out.add(c);
            }
        }
        return out;
    }

    /** The claims of a principal's valid token for {@code resource}. */
    static Map<String, Object> claims(TestTokens issuer, String who, String resource) {
        String[] p = PRINCIPALS.get(who);
        if (p == null) {
            throw new IllegalArgumentException("unknown principal in corpus: " + who);
        }
        Map<String, Object> c = issuer.claims(p[0], resource, p[3]);
        c.put("tenant", p[1]);
        c.put("roles", List.of(p[2]));
        return c;
    }

    /**
     * The Authorization header value a case's {@code token} spec asks for, or null for none. Relative times
     * ("+3600", "-3600") are seconds from now; a null claim is removed.
     */
    static String authorization(JsonNode spec, TestTokens issuer, String resource) {
        if (spec == null || spec.isNull()) {
            return null;
        }
        if (spec.has("raw_header")) {
            return spec.get("raw_header").asString();
        }
        if (spec.has("raw")) {
            return "Bearer " + spec.get("raw").asString();
        }
        return "Bearer " + token(spec, issuer, resource);
    }

    static String token(JsonNode spec, TestTokens issuer, String resource) {
        Map<String, Object> c = new LinkedHashMap<>(claims(issuer, spec.get("as").asString(), resource));
        JsonNode overrides = spec.get("claims");
        if (overrides != null) {
            for (Map.Entry<String, JsonNode> e : overrides.properties()) {
                JsonNode v = e.getValue();
                if (v.isNull()) {
                    c.put(e.getKey(), null);
                } else if (v.isString() && v.asString().matches("[+-]\\d+")) {
                    c.put(e.getKey(), Instant.now().getEpochSecond() + Long.parseLong(v.asString()));
                } else if (v.isString()) {
                    c.put(e.getKey(), v.asString());
                } else {
                    c.put(e.getKey(), Json.standard().mapper().convertValue(v, Object.class));
                }
            }
        }
        String sign = spec.path("sign").asString("");
        return switch (sign) {
            case "" -> issuer.sign(c);
            case "other-key" -> TestTokens.sign(c, TestTokens.newKey("other"), new JOSEObjectType("at+jwt"));
            case "alg-none" -> TestTokens.unsigned(c);
            case "hs256-public-key" -> issuer.hmacWithPublicKey(c);
            case "tamper-payload" -> issuer.tampered(c);
            default -> throw new IllegalArgumentException("unknown signing variant in corpus: " + sign);
        };
    }
}
