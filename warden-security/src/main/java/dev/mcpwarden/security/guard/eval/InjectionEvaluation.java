package dev.mcpwarden.security.guard.eval;

import dev.mcpwarden.security.guard.PromptInjectionDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * An injection evaluation set: JSON lines, the first naming the set and the tools of the server the texts are
 * returned by ({@code {"set": "injection-dev", "tools": ["get_ticket", …]}}), then one {@link InjectionCase} per line
 * ({@code {"id": …, "attack": true, "class": "override", "lang": "de", "source": "untrusted", "text": …}}).
 *
 * <p>Two sets are bundled: {@code dev}, which the rules were tuned against, and {@code held-out}, which they were
 * not; both were written by hand for Warden (attacks of every class in fifteen languages, and benign texts that look
 * like them: quoted mail, notices, code, logs, articles about prompt injection, password-reset tickets).
 */
public final class InjectionEvaluation {

    /** The bundled sets, by name. */
    public static final List<String> BUNDLED = List.of("dev", "held-out");

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final List<String> tools;
    private final List<InjectionCase> cases;

    private InjectionEvaluation(String name, List<String> tools, List<InjectionCase> cases) {
        this.name = name;
        this.tools = List.copyOf(tools);
        this.cases = List.copyOf(cases);
    }

    /** A bundled set: {@code dev} or {@code held-out}. */
    public static InjectionEvaluation bundled(String set) {
        if (!BUNDLED.contains(set)) {
            throw new IllegalArgumentException("no bundled injection set " + set + "; the sets are " + BUNDLED);
        }
        String resource = "injection-" + set + ".jsonl";
        try (InputStream in = InjectionEvaluation.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A set from a file in the format above. */
    public static InjectionEvaluation read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    private static InjectionEvaluation parse(String content, String origin) {
        String name = origin;
        List<String> tools = new ArrayList<>();
        List<InjectionCase> cases = new ArrayList<>();
        int line = 0;
        for (String raw : content.split("\n")) {
            line++;
            if (raw.isBlank()) {
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(raw);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(origin + ":" + line + ": not a JSON object");
            }
            if (n.has("set")) {
                name = n.get("set").asString();
                n.path("tools").forEach(t -> tools.add(t.asString()));
                continue;
            }
            if (!n.path("id").isString() || !n.path("text").isString() || !n.path("attack").isBoolean()) {
                throw new IllegalArgumentException(origin + ":" + line + ": a case needs id, attack and text");
            }
            boolean attack = n.get("attack").asBoolean();
            cases.add(new InjectionCase(n.get("id").asString(), attack, n.path("class").asString("unknown"),
                    n.path("lang").asString("und"), attack && "untrusted".equals(n.path("source").asString("")),
                    n.get("text").asString()));
        }
        return new InjectionEvaluation(name, tools, cases);
    }

    /** The set's name. */
    public String name() {
        return name;
    }

    /** The tools of the server the texts come from. */
    public List<String> tools() {
        return tools;
    }

    /** The cases, in file order. */
    public List<InjectionCase> cases() {
        return cases;
    }

    /** Runs {@code detector}, told this set's tools, on every case. */
    public InjectionScore score(PromptInjectionDetector detector) {
        PromptInjectionDetector d = detector.forTools(tools);
        int attacks = 0;
        int detected = 0;
        int stopped = 0;
        int benign = 0;
        int falsePositives = 0;
        List<String> missed = new ArrayList<>();
        List<String> spotlitOnly = new ArrayList<>();
        List<String> flagged = new ArrayList<>();
        for (InjectionCase c : cases) {
            boolean hit = d.detect(c.text()).attack();
            if (c.attack()) {
                attacks++;
                if (hit) {
                    detected++;
                } else if (c.untrusted()) {
                    spotlitOnly.add(c.id());
                } else {
                    missed.add(c.id());
                }
                if (hit || c.untrusted()) {
                    stopped++;
                }
            } else {
                benign++;
                if (hit) {
                    falsePositives++;
                    flagged.add(c.id());
                }
            }
        }
        missed.addAll(spotlitOnly);
        return new InjectionScore(name, attacks, detected, stopped, benign, falsePositives, missed, flagged);
    }
}
