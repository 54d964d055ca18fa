package dev.mcpwarden.security.guard;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link PromptInjectionDetector} backed by Azure AI Content Safety Prompt Shields:
 * {@code POST {endpoint}/contentsafety/text:shieldPrompt?api-version=2024-09-01} with the
 * {@code Ocp-Apim-Subscription-Key} header and body {@code {"userPrompt": …, "documents": […]}}; the answer's
 * {@code userPromptAnalysis.attackDetected} and {@code documentsAnalysis[].attackDetected} decide.
 *
 * <p>{@link #detect(String)} sends the text as a document (indirect injection in tool output), split into chunks of
 * at most {@link Config#maxChars()} characters, one request per chunk; {@link #detectUserPrompt(String)} sends it as
 * the user prompt. When the service cannot answer (timeout, connection error, non-2xx, unreadable body) the result
 * is an attack if {@link Config#failClosed()} (the default), or clean with the signal
 * {@code prompt-shields-unavailable} otherwise. The subscription key is never logged or put in a signal.
 */
public final class PromptShieldsDetector implements PromptInjectionDetector {

    /**
     * Where and how to call the service.
     *
     * @param endpoint   the Content Safety resource, e.g. {@code https://<name>.cognitiveservices.azure.com}
     * @param apiKey     the subscription key
     * @param apiVersion the API version, {@code 2024-09-01}
     * @param timeout    time for one call, connection included
     * @param failClosed whether an unavailable service counts as an attack
     * @param maxChars   longest text per request (the service's limit is 10,000 characters)
     */
    public record Config(URI endpoint, String apiKey, String apiVersion, Duration timeout, boolean failClosed,
            int maxChars) {
        public Config {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!("https".equals(endpoint.getScheme()) || "http".equals(endpoint.getScheme()))
                    || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an http(s) URL, was " + endpoint);
            }
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            if (apiVersion == null || !apiVersion.matches("[0-9A-Za-z.-]+")) {
                throw new IllegalArgumentException("apiVersion must be like 2024-09-01, was '" + apiVersion + "'");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            if (maxChars < 100 || maxChars > 100_000) {
                throw new IllegalArgumentException("maxChars must be between 100 and 100000, was " + maxChars);
            }
        }

        /** API 2024-09-01, 2 s timeout, fail closed, 10,000 characters per request. */
        public static Config of(URI endpoint, String apiKey) {
            return new Config(endpoint, apiKey, "2024-09-01", Duration.ofSeconds(2), true, 10_000);
        }

        /** This configuration with another timeout. */
        public Config withTimeout(Duration newTimeout) {
            return new Config(endpoint, apiKey, apiVersion, newTimeout, failClosed, maxChars);
        }

        /** This configuration failing open (an outage lets content through) instead of closed. */
        public Config failingOpen() {
            return new Config(endpoint, apiKey, apiVersion, timeout, false, maxChars);
        }

        @Override
        public String toString() {
            return "Config[endpoint=" + endpoint + ", apiKey=***, apiVersion=" + apiVersion + ", timeout=" + timeout
                    + ", failClosed=" + failClosed + ", maxChars=" + maxChars + "]";
        }
    }

    /**
     * The service's answer.
     *
     * @param userPromptAttack whether the user prompt is an attack
     * @param documentAttacks  per document, whether it carries an attack
     */
    public record ShieldResult(boolean userPromptAttack, List<Boolean> documentAttacks) {
        public ShieldResult {
            documentAttacks = List.copyOf(documentAttacks);
        }

        /** Whether anything was flagged. */
        public boolean attack() {
            return userPromptAttack || documentAttacks.contains(Boolean.TRUE);
        }
    }

    private final Config config;
    private final HttpClient client;
    private final URI uri;

    private PromptShieldsDetector(Config config, HttpClient client) {
        this.config = config;
        this.client = client;
        String base = config.endpoint().toString().replaceAll("/+$", "");
        this.uri = URI.create(base + "/contentsafety/text:shieldPrompt?api-version=" + config.apiVersion());
    }

    /** A detector with its own HTTP client. */
    public static PromptShieldsDetector create(Config config) {
        Objects.requireNonNull(config, "config");
        HttpClient client = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new PromptShieldsDetector(config, client);
    }

    @Override
    public Detection detect(String text) {
        if (text == null || text.isEmpty()) {
            return Detection.clean();
        }
        for (int from = 0; from < text.length(); from += config.maxChars()) {
            String chunk = text.substring(from, Math.min(text.length(), from + config.maxChars()));
            Detection d = judge("", List.of(chunk));
            if (d.attack()) {
                return d;
            }
            if (!d.signals().isEmpty()) {
                return d; // unavailable and failing open: stop calling
            }
        }
        return Detection.clean();
    }

    /** Judges {@code prompt} as a user prompt (direct injection, jailbreak). */
    public Detection detectUserPrompt(String prompt) {
        if (prompt == null || prompt.isEmpty()) {
            return Detection.clean();
        }
        return judge(prompt.length() > config.maxChars() ? prompt.substring(0, config.maxChars()) : prompt, List.of());
    }

    private Detection judge(String userPrompt, List<String> documents) {
        try {
            ShieldResult result = analyze(userPrompt, documents);
            return result.attack() ? new Detection(true, 1.0, List.of("prompt-shields")) : Detection.clean();
        } catch (IOException e) {
            return unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable();
        }
    }

    private Detection unavailable() {
        return config.failClosed()
                ? new Detection(true, 1.0, List.of("prompt-shields-unavailable"))
                : new Detection(false, 0.0, List.of("prompt-shields-unavailable"));
    }

    /**
     * Calls the service once.
     *
     * @throws IOException if it does not answer in time, answers with a non-2xx status, or the answer is unreadable
     */
    public ShieldResult analyze(String userPrompt, List<String> documents) throws IOException, InterruptedException {
        ObjectNode body = Json.object();
        body.put("userPrompt", userPrompt);
        ArrayNode docs = body.putArray("documents");
        documents.forEach(docs::add);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Ocp-Apim-Subscription-Key", config.apiKey())
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.standard().bytes(body)))
                .build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("Prompt Shields answered HTTP " + response.statusCode());
        }
        try {
            JsonNode answer = Json.standard().parse(response.body());
            JsonNode user = answer.path("userPromptAnalysis").path("attackDetected");
            JsonNode docAnswers = answer.path("documentsAnalysis");
            if ((!userPrompt.isEmpty() && !user.isBoolean()) || docAnswers.size() != documents.size()) {
                throw new IOException("Prompt Shields answer has an unexpected shape");
            }
            List<Boolean> attacks = new ArrayList<>();
            for (JsonNode d : docAnswers) {
                JsonNode detected = d.path("attackDetected");
                if (!detected.isBoolean()) {
                    throw new IOException("Prompt Shields answer has an unexpected shape");
                }
                attacks.add(detected.booleanValue());
            }
            return new ShieldResult(user.isBoolean() && user.booleanValue(), attacks);
        } catch (JacksonException e) {
            throw new IOException("Prompt Shields answer is not JSON");
        }
    }
}
