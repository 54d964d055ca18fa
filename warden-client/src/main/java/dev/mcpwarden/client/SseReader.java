package dev.mcpwarden.client;

import java.io.IOException;
import java.io.InputStream;

/**
 * Server-sent events as the HTML standard parses them: {@code data} lines of one event joined with newlines,
 * comment lines ({@code :}) ignored, {@code id} and {@code retry} remembered for resuming; each event's data at most
 * {@code max} bytes.
 */
final class SseReader {

    /** One dispatched event: its type ({@code message} when unnamed), id (may be null) and data. */
    record Event(String type, String id, String data) {
    }

    private final LineReader lines;
    private final long max;
    private String lastEventId;
    private long retryMillis = -1;

    /** A reader of {@code in}; {@code lastEventId} carries the id over from the stream this one resumes. */
    SseReader(InputStream in, long max, String lastEventId) {
        this.lines = new LineReader(in, max);
        this.max = max;
        this.lastEventId = lastEventId;
    }

    /** The id of the last event that had one, for {@code Last-Event-ID}; null if none. */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection delay the server asked for, or -1. */
    long retryMillis() {
        return retryMillis;
    }

    /** The next event with data, or null at the end of the stream. Events without data only update the id. */
    Event next() throws IOException {
        StringBuilder data = null;
        String type = null;
        while (true) {
            String line = lines.readLine();
            if (line == null || line.isEmpty()) {
                if (data != null && !data.isEmpty()) {
                    return new Event(type == null ? "message" : type, lastEventId, data.toString());
                }
                data = null;
                if (line == null) {
                    return null;
                }
                type = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        if (data.length() + 1L + value.length() > max) {
                            throw new LineReader.LineTooLongException(max);
                        }
                        data.append('\n').append(value);
                    }
                }
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                }
                case "retry" -> {
                    if (value.matches("[0-9]{1,9}")) {
                        retryMillis = Long.parseLong(value);
                    }
                }
                default -> {
                    // unknown fields are ignored, as the standard says
                }
            }
        }
    }
}
