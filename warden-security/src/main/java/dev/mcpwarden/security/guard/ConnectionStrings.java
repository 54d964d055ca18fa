package dev.mcpwarden.security.guard;

import java.util.List;

/**
 * Connection strings that carry a password in key-value form: JDBC URLs with a {@code password=} parameter, and
 * ADO.NET/ODBC strings ({@code Server=db;Database=app;Password=…;}). Both are scanned by hand in one pass, not by a
 * regular expression with a window: a lazy window tried from every {@code host=} or {@code jdbc:} costs the window's
 * length per start, a second of CPU per mebibyte of {@code host=a;} repeated.
 */
final class ConnectionStrings {

    /** Longest stretch between the end of the server part and the password key, as the former rule allowed. */
    static final int MAX_GAP = 500;
    /** Longest server value ({@code Server=…;}). */
    static final int MAX_SERVER_VALUE = 200;

    private static final String[] SERVER_KEYS = {"server", "data source", "host", "address"};
    private static final String[] PASSWORD_KEYS = {"password", "pwd"};

    private ConnectionStrings() {
    }

    /**
     * ADO.NET-style strings: a server part ({@code server}, {@code data source}, {@code host} or {@code address},
     * {@code =}, 1 to 200 characters, {@code ;}) and, at most {@value #MAX_GAP} characters after it on the same line
     * and outside quotes, a part whose key ends in {@code password} or {@code pwd} with a non-empty value. The match
     * runs from the earliest such server part to the end of the password value (and its {@code ;}).
     */
    static void adoNet(String text, List<TextMatch> out) {
        int n = text.length();
        // pending server parts of the current line: starts and the index after their ';', oldest first
        int[] starts = new int[16];
        int[] ends = new int[16];
        int head = 0;
        int tail = 0;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'' || c == '\n') {
                head = tail = 0;
                i++;
                continue;
            }
            if (c == ';') {
                i++;
                continue;
            }
            int partEnd = i;
            int eq = -1;
            while (partEnd < n && !stop(text.charAt(partEnd))) {
                if (eq < 0 && text.charAt(partEnd) == '=') {
                    eq = partEnd;
                }
                partEnd++;
            }
            if (eq < 0) {
                i = partEnd;
                continue;
            }
            int password = keyEndingAt(text, i, eq, PASSWORD_KEYS, false);
            if (password >= 0) {
                int valueEnd = eq + 1;
                while (valueEnd < n && !stop(text.charAt(valueEnd)) && !Character.isWhitespace(text.charAt(valueEnd))) {
                    valueEnd++;
                }
                while (head < tail && password - ends[head] > MAX_GAP) {
                    head++;
                }
                if (valueEnd > eq + 1 && head < tail) {
                    int end = valueEnd < n && text.charAt(valueEnd) == ';' ? valueEnd + 1 : valueEnd;
                    out.add(new TextMatch(FindingKind.CONNECTION_STRING, starts[head], end));
                    head = tail = 0;
                    i = end;
                    continue;
                }
            }
            int server = keyEndingAt(text, i, eq, SERVER_KEYS, true);
            int valueLength = partEnd - eq - 1;
            if (server >= 0 && valueLength >= 1 && valueLength <= MAX_SERVER_VALUE && partEnd < n
                    && text.charAt(partEnd) == ';') {
                if (tail == starts.length) {
                    int live = tail - head;
                    int[] s2 = new int[Math.max(16, live * 2)];
                    int[] e2 = new int[s2.length];
                    System.arraycopy(starts, head, s2, 0, live);
                    System.arraycopy(ends, head, e2, 0, live);
                    starts = s2;
                    ends = e2;
                    head = 0;
                    tail = live;
                }
                starts[tail] = server;
                ends[tail] = partEnd + 1;
                tail++;
            }
            i = partEnd;
        }
    }

    /**
     * JDBC URLs ({@code jdbc:<sub-protocol>:…}) with a {@code password=} or {@code pwd=} parameter with a value within
     * {@value #MAX_GAP} characters of the prefix: the whole URL up to the first white space, quote or angle bracket.
     */
    static void jdbc(String text, List<TextMatch> out) {
        int n = text.length();
        int from = 0;
        int stopAt = -1; // the first stop character at or after the candidate (monotone)
        int needleAt = -1; // the first password key with a value at or after the candidate (monotone), or n
        while (true) {
            int c = indexOfIgnoreCase(text, "jdbc:", from);
            if (c < 0) {
                return;
            }
            from = c + 1;
            if (c > 0 && alnum(text.charAt(c - 1))) {
                continue;
            }
            int p = c + 5;
            while (p < n && alnum(text.charAt(p))) {
                p++;
            }
            if (p == c + 5 || p >= n || text.charAt(p) != ':') {
                continue;
            }
            p++;
            if (stopAt < c) {
                stopAt = c;
                while (stopAt < n && !urlStop(text.charAt(stopAt))) {
                    stopAt++;
                }
            }
            if (needleAt < p) {
                needleAt = passwordParameter(text, p);
            }
            if (needleAt < stopAt && needleAt - p <= MAX_GAP) {
                out.add(new TextMatch(FindingKind.CONNECTION_STRING, c, stopAt));
                from = stopAt;
            }
        }
    }

    /** The first {@code password=}/{@code pwd=} at or after {@code from} followed by a value character, or the end. */
    private static int passwordParameter(String text, int from) {
        int n = text.length();
        int a = indexOfIgnoreCase(text, "password=", from);
        int b = indexOfIgnoreCase(text, "pwd=", from);
        while (a >= 0 || b >= 0) {
            boolean first = a >= 0 && (b < 0 || a <= b);
            int at = first ? a : b;
            int value = at + (first ? 9 : 4);
            if (value < n && !urlStop(text.charAt(value)) && text.charAt(value) != ';' && text.charAt(value) != '&') {
                return at;
            }
            if (first) {
                a = indexOfIgnoreCase(text, "password=", at + 1);
            } else {
                b = indexOfIgnoreCase(text, "pwd=", at + 1);
            }
        }
        return n;
    }

    /** The start of one of {@code keys} ending right before {@code eq} within {@code [from, eq)}, or -1. */
    private static int keyEndingAt(String text, int from, int eq, String[] keys, boolean wholeWord) {
        for (String k : keys) {
            int s = eq - k.length();
            if (s >= from && text.regionMatches(true, s, k, 0, k.length())
                    && (!wholeWord || s == 0 || !alnum(text.charAt(s - 1)))) {
                return s;
            }
        }
        return -1;
    }

    private static boolean stop(char c) {
        return c == ';' || c == '"' || c == '\'' || c == '\n';
    }

    private static boolean urlStop(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>';
    }

    private static boolean alnum(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** The first {@code literal} (lower-case ASCII) at or after {@code from}, ignoring ASCII case, or -1. */
    static int indexOfIgnoreCase(String text, String literal, int from) {
        char first = literal.charAt(0);
        for (int i = Math.max(0, from), last = text.length() - literal.length(); i <= last; i++) {
            if ((text.charAt(i) | 0x20) == first && text.regionMatches(true, i, literal, 0, literal.length())) {
                return i;
            }
        }
        return -1;
    }
}
