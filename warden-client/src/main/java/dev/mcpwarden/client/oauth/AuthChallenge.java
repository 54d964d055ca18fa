package dev.mcpwarden.client.oauth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 §11.6.1): its scheme and auth-params, names
 * lower-cased. Only the {@code Bearer} and {@code DPoP} challenges matter to the OAuth client.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    /** The first {@code Bearer} or {@code DPoP} challenge of a header value, if any. */
    static Optional<AuthChallenge> oauth(String header) {
        for (AuthChallenge c : parse(header == null ? "" : header)) {
            if (c.scheme().equals("bearer") || c.scheme().equals("dpop")) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name)).filter(v -> !v.isBlank());
    }

    /**
     * Every challenge of a header value. Tolerant: a malformed part ends the parse with what was read, so a hostile
     * header can only cost its own length (the HTTP client bounds headers).
     */
    static java.util.List<AuthChallenge> parse(String h) {
        java.util.List<AuthChallenge> out = new java.util.ArrayList<>();
        int i = 0;
        int n = h.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',' || h.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && isToken(h.charAt(i))) {
                i++;
            }
            if (start == i) {
                break;
            }
            String word = h.substring(start, i);
            int j = i;
            while (j < n && (h.charAt(j) == ' ' || h.charAt(j) == '\t')) {
                j++;
            }
            if (j < n && h.charAt(j) == '=' && scheme != null && !tokenAfterEquals(h, j)) {
                // auth-param: name = token / quoted-string
                i = j + 1;
                while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) {
                    i++;
                }
                StringBuilder value = new StringBuilder();
                if (i < n && h.charAt(i) == '"') {
                    i++;
                    while (i < n && h.charAt(i) != '"') {
                        if (h.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(h.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && h.charAt(i) != ',' && h.charAt(i) != ' ') {
                        value.append(h.charAt(i++));
                    }
                }
                params.putIfAbsent(word.toLowerCase(Locale.ROOT), value.toString());
            } else {
                if (scheme != null) {
                    out.add(new AuthChallenge(scheme, Map.copyOf(params)));
                    params.clear();
                }
                scheme = word.toLowerCase(Locale.ROOT);
                if (j < n && h.charAt(j) == '=') { // token68 after the scheme: skip it
                    i = j;
                    while (i < n && h.charAt(i) != ',') {
                        i++;
                    }
                }
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, Map.copyOf(params)));
        }
        return out;
    }

    /** {@code Basic abc==}: an equals sign followed by another, or by the end, belongs to a token68. */
    private static boolean tokenAfterEquals(String h, int j) {
        return j + 1 >= h.length() || h.charAt(j + 1) == '=' || h.charAt(j + 1) == ',';
    }

    private static boolean isToken(char c) {
        return c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={} ".indexOf(c) < 0;
    }
}
