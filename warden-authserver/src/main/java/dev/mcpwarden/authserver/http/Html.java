package dev.mcpwarden.authserver.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTML pages' frame: every value is escaped, nothing is loaded from elsewhere, the one inline style is allowed by
 * its hash, no script at all, and the page may not be framed (clickjacking) or cached.
 */
final class Html {

    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;"
            + "padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}.box{border:1px solid #c8ccd6;border-radius:8px;"
            + "padding:1rem 1.25rem;margin:1rem 0}.warn{background:#fff4e0;border-color:#e0a040}"
            + ".err{background:#fde8e8;border-color:#d04040}label{display:block;margin:.75rem 0 .25rem}"
            + "input[type=text],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}"
            + "button,.button{padding:.5rem 1.25rem;margin:1rem .5rem 0 0;font-size:1rem}"
            + ".badge{font-size:.75rem;padding:.1rem .4rem;border-radius:4px;background:#e0a040;color:#000}"
            + "code{word-break:break-all}ul{padding-left:1.25rem}";
    private static final String STYLE_HASH = "'sha256-" + sha256(STYLE) + "'";

    private Html() {
    }

    /** Escapes text for element content and double-quoted attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Writes a page.
     *
     * @param formTargets extra origins forms may lead to (the consent form ends in a redirect to the client)
     */
    static void page(Response response, Callback callback, int status, String title, String body,
                     String formTargets) {
        String html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<meta name=\"referrer\" content=\"no-referrer\">"
                + "<title>" + esc(title) + "</title><style>" + STYLE + "</style></head><body>"
                + body + "</body></html>";
        var h = response.getHeaders();
        h.put("Content-Security-Policy", "default-src 'none'; style-src " + STYLE_HASH + "; img-src 'none'; "
                + "form-action 'self'" + (formTargets == null ? "" : " " + formTargets)
                + "; frame-ancestors 'none'; base-uri 'none'");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        Web.noStore(response);
        Web.text(response, callback, status, "text/html;charset=utf-8", html);
    }

    /** An error page that leads nowhere (used when the redirect URI cannot be trusted). */
    static void error(Response response, Callback callback, int status, String error, String message) {
        page(response, callback, status, "Sign-in error",
                "<h1>This sign-in cannot continue</h1><div class=\"box err\"><p><strong>" + esc(error)
                        + "</strong></p><p id=\"message\">" + esc(message) + "</p></div>"
                        + "<p>Return to the application and try again. If this keeps happening, contact its "
                        + "publisher.</p>", null);
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
