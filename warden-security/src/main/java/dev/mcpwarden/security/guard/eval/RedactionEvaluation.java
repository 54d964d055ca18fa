package dev.mcpwarden.security.guard.eval;

import dev.mcpwarden.security.guard.FindingKind;
import dev.mcpwarden.security.guard.PiiDetector;
import dev.mcpwarden.security.guard.SecretDetector;
import dev.mcpwarden.security.guard.SensitiveDataDetector;
import dev.mcpwarden.security.guard.TextMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The redaction evaluation set: one {@link RedactionCase} per rule of the secret and personal-data detectors (a
 * positive with the exact span it must give, and a near miss), run through {@link SecretDetector#standard()} or
 * {@link PiiDetector#all()}.
 */
public final class RedactionEvaluation {

    /**
     * What the detectors scored.
     *
     * @param cases  rules checked
     * @param found  positives found with the right kind and exactly the expected span
     * @param spared near misses left alone
     * @param failed a line per failure: the rule, and what was wrong
     */
    public record Score(int cases, int found, int spared, List<String> failed) {
        public Score {
            failed = List.copyOf(failed);
        }

        /** One line of figures. */
        public String summary() {
            return "redaction: " + found + "/" + cases + " rules find their positive exactly, " + spared + "/" + cases
                    + " leave their near miss alone";
        }
    }

    private final List<RedactionCase> cases;

    private RedactionEvaluation(List<RedactionCase> cases) {
        this.cases = List.copyOf(cases);
    }

    /** The bundled set. */
    public static RedactionEvaluation bundled() {
        try (InputStream in = RedactionEvaluation.class.getResourceAsStream("redaction.jsonl")) {
            if (in == null) {
                throw new IllegalStateException("missing resource redaction.jsonl");
            }
            List<RedactionCase> cases = new ArrayList<>();
            JsonMapper json = JsonMapper.builder().build();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                cases.add(new RedactionCase(n.get("rule").asString(), n.get("detector").asString(),
                        FindingKind.valueOf(n.get("kind").asString()), n.get("positive").asString(),
                        n.get("match").asString(), n.get("negative").asString()));
            }
            return new RedactionEvaluation(cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases, in file order. */
    public List<RedactionCase> cases() {
        return cases;
    }

    /** Runs every case through its detector. */
    public Score score() {
        SensitiveDataDetector secrets = SecretDetector.standard();
        SensitiveDataDetector pii = PiiDetector.all();
        int found = 0;
        int spared = 0;
        List<String> failed = new ArrayList<>();
        for (RedactionCase c : cases) {
            SensitiveDataDetector r = c.detector().equals("pii") ? pii : secrets;
            String positive = describe(c.positive(), r.scan(c.positive()));
            String expected = c.kind() + " " + c.match();
            if (r.scan(c.positive()).stream().anyMatch(m -> m.kind() == c.kind()
                    && c.positive().substring(m.start(), m.end()).equals(c.match()))) {
                found++;
            } else {
                failed.add(c.rule() + ": expected " + expected + ", found " + positive);
            }
            List<TextMatch> near = r.scan(c.negative()).stream().filter(m -> m.kind() == c.kind()).toList();
            if (near.isEmpty()) {
                spared++;
            } else {
                failed.add(c.rule() + ": near miss flagged: " + describe(c.negative(), near));
            }
        }
        return new Score(cases.size(), found, spared, failed);
    }

    private static String describe(String text, List<TextMatch> spans) {
        return spans.stream().map(m -> m.kind() + " " + text.substring(m.start(), m.end())).toList().toString();
    }
}
