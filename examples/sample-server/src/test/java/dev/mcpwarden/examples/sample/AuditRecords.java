package dev.mcpwarden.examples.sample;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** Reads the sample's audit log while the server writes it (asynchronously, so tests wait for records). */
final class AuditRecords {

    /** Outcomes that mean the request was not served as asked. */
    static final Set<String> SERVED_OUTCOMES = Set.of("ok", "accepted", "created", "ended", "genesis", "reopened");

    private AuditRecords() {
    }

    /** The complete records written so far (a line still being written is left out). */
    static List<JsonNode> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        int start = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
            out.add(Json.standard().parse(text.substring(start, nl)));
            start = nl + 1;
        }
        return out;
    }

    /** Whether a record says something was refused, blocked, redacted or quarantined. */
    static boolean refusal(JsonNode record) {
        return !SERVED_OUTCOMES.contains(record.path("outcome").asString(""));
    }

    /**
     * The records after the first {@code before}, once one of them matches {@code wanted} (waiting up to 5 s for
     * the writer); empty if none did.
     */
    static List<JsonNode> awaitAfter(Path file, int before, Predicate<JsonNode> wanted) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            List<JsonNode> all = read(file);
            List<JsonNode> after = all.subList(Math.min(before, all.size()), all.size());
            if (after.stream().anyMatch(wanted)) {
                return List.copyOf(after);
            }
            if (System.nanoTime() > deadline) {
                return List.of();
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the file has not grown for 300 ms, so the writer has caught up. */
    static void awaitQuiet(Path file) throws Exception {
        long size = -1;
        while (true) {
            long now = Files.exists(file) ? Files.size(file) : 0;
            if (now == size) {
                return;
            }
            size = now;
            Thread.sleep(300);
        }
    }
}
