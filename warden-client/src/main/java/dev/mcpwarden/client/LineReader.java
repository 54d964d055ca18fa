package dev.mcpwarden.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a byte stream (ended by LF, CR LF or CR, as SSE allows), each at most {@code max} bytes: a peer cannot
 * make the client buffer without bound by never sending a line end.
 */
final class LineReader {

    /** A line was longer than allowed; it was skipped up to its end, so reading can go on. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(long max) {
            super("a line is longer than " + max + " bytes");
        }
    }

    private final InputStream in;
    private final long max;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    private boolean skipLf;
    private byte[] line = new byte[256];

    LineReader(InputStream in, long max) {
        this.in = in;
        this.max = max;
    }

    /** The next line without its end, or null at the end of the stream (a last unterminated line is returned). */
    String readLine() throws IOException {
        int len = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    if (tooLong) {
                        throw new LineTooLongException(max);
                    }
                    return any ? new String(line, 0, len, StandardCharsets.UTF_8) : null;
                }
            }
            byte b = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            any = true;
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                if (tooLong) {
                    throw new LineTooLongException(max);
                }
                return new String(line, 0, len, StandardCharsets.UTF_8);
            }
            if (tooLong) {
                continue;
            }
            if (len == max) {
                tooLong = true;
                continue;
            }
            if (len == line.length) {
                line = Arrays.copyOf(line, (int) Math.min(max, (long) line.length * 2));
            }
            line[len++] = b;
        }
    }
}
