package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.McpError;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one error a caller gets for each way an upstream can fail it: a stable JSON-RPC code (outside the range the
 * JSON-RPC and MCP specifications reserve, as MCP asks of application errors), a message for humans naming the
 * upstream, and {@code data} with the upstream's name, the kind, and the request's correlation id, which is also
 * in the audit record and the log. Nothing of the upstream's internals reaches the caller: an upstream's own error
 * text is cut at its first line and stack trace, and addresses, host names, paths and exception class names in it
 * are replaced ({@link #sanitized(String)}). {@code docs/errors.md} lists the kinds.
 */
final class UpstreamFailure extends McpError {

    /** The kinds of upstream failure, each with its stable code. */
    enum Kind {
        /** Down: it refused or broke the connection, its process is not running, or it answered 502, 503 or 504. */
        UNAVAILABLE(-31001, "unavailable"),
        /** It did not answer within its request timeout. */
        TIMEOUT(-31002, "timeout"),
        /** Its circuit is open after failures in a row: answered at once, without trying it. */
        CIRCUIT_OPEN(-31003, "circuit_open"),
        /** Its concurrency limit (or per-principal process limit) is reached: answered at once, never queued. */
        BUSY(-31004, "busy"),
        /** It broke the protocol: an unexpected HTTP status, a protocol error about the gateway's own request. */
        PROTOCOL_ERROR(-31005, "protocol_error"),
        /** Its answer was not valid MCP, too large, or not what the request asks for. */
        MALFORMED_ANSWER(-31006, "malformed_answer"),
        /** It refused the gateway's credential (HTTP 401 or 403), or the gateway has no token for it. */
        UNAUTHORIZED(-31007, "unauthorized"),
        /** It answered with an error of its own (an internal error, or a code of its application). */
        FAILED(-31008, "upstream_error");

        final int code;
        final String word;

        Kind(int code, String word) {
            this.code = code;
            this.word = word;
        }
    }

    private static final int MAX_MESSAGE = 300;

    private final Kind kind;
    private final String upstream;
    private final Integer upstreamCode;

    private UpstreamFailure(Kind kind, String upstream, String message, Integer upstreamCode, String correlationId) {
        super(kind.code, message, data(kind, upstream, upstreamCode, correlationId));
        this.kind = kind;
        this.upstream = upstream;
        this.upstreamCode = upstreamCode;
    }

    /** A failure of {@code upstream}'s; its correlation id is added where the call is known ({@link #of}). */
    static UpstreamFailure of(Kind kind, String upstream, String message) {
        return new UpstreamFailure(kind, upstream, message, null, null);
    }

    /** The upstream's own error, relayed with its code in {@code data.upstreamCode} and its text sanitized. */
    static UpstreamFailure relayed(String upstream, int upstreamCode, String upstreamMessage) {
        String text = sanitized(upstreamMessage);
        return new UpstreamFailure(Kind.FAILED, upstream, "Upstream " + upstream + " failed: "
                + (text.isEmpty() ? "(no message)" : text), upstreamCode, null);
    }

    /** This failure, naming the request it failed in its {@code data}. */
    UpstreamFailure correlated(String correlationId) {
        return new UpstreamFailure(kind, upstream, getMessage(), upstreamCode, correlationId);
    }

    Kind kind() {
        return kind;
    }

    private static ObjectNode data(Kind kind, String upstream, Integer upstreamCode, String correlationId) {
        ObjectNode d = Json.object();
        d.put("upstream", upstream);
        d.put("kind", kind.word);
        if (upstreamCode != null) {
            d.put("upstreamCode", upstreamCode);
        }
        if (correlationId != null) {
            d.put("correlationId", correlationId);
        }
        return d;
    }

    /** A capability's name: what the spec and extensions use ({@code elicitation}, {@code io.example/tasks}). */
    private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z][A-Za-z0-9._/-]{0,63}");
    private static final int MAX_CAPABILITY_DEPTH = 4;
    private static final int MAX_CAPABILITIES = 32;

    /**
     * The {@code data} a caller gets with an upstream's -32021 (missing required client capability): rebuilt from
     * its {@code requiredCapabilities} only, a ClientCapabilities object of capability names whose values are
     * objects or booleans; anything else the upstream put there (text, numbers, other members) is dropped, so no
     * internal detail rides along. Null when the upstream named no capability.
     */
    static ObjectNode requiredCapabilities(tools.jackson.databind.JsonNode upstreamData) {
        if (upstreamData == null || !(upstreamData.get("requiredCapabilities") instanceof ObjectNode caps)) {
            return null;
        }
        ObjectNode d = Json.object();
        d.set("requiredCapabilities", capabilities(caps, 1));
        return d;
    }

    private static ObjectNode capabilities(ObjectNode from, int depth) {
        ObjectNode out = Json.object();
        for (var e : from.properties()) {
            if (out.size() >= MAX_CAPABILITIES || !CAPABILITY.matcher(e.getKey()).matches()) {
                continue;
            }
            if (e.getValue() instanceof ObjectNode nested) {
                out.set(e.getKey(), depth < MAX_CAPABILITY_DEPTH ? capabilities(nested, depth + 1) : Json.object());
            } else if (e.getValue().isBoolean()) {
                out.put(e.getKey(), e.getValue().asBoolean());
            }
        }
        return out;
    }

    // ---- what of an upstream's text may reach a caller

    /** Where a stack trace or a traceback starts, on one line or after it. */
    private static final Pattern TRACE = Pattern.compile(
            "(?:\\s+at\\s+(?:async\\s+)?[\\w$<>]+(?:\\.[\\w$<>]+)+\\s*(?:\\[as [^\\]]*\\]\\s*)?\\("
                    + "|\\s*Caused by:|\\s*Traceback \\(most recent call last\\)|\\s*File \""
                    + "|\\s+at\\s+(?:async\\s+)?(?:node:|file:|/))");
    private static final Pattern URL = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s'\"<>()]*");
    /** Candidates only: those with "::" or at least five colons are addresses (not "12:30:45"). */
    private static final Pattern IPV6 = Pattern.compile(
            "(?i)(?<![\\w:.])\\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%\\w+)?\\]?(?::\\d{1,5})?(?![\\w]|:\\w)");
    private static final Pattern IPV4 = Pattern.compile(
            "(?<![\\w.-])\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\w.-])(?::\\d{1,5})?");
    /**
     * A host name: any dotted name of letters, digits, hyphens and underscores whose last label starts with a letter
     * (so not a version or a number: "1.2.3", "2.5s"), whatever its top-level domain ({@code redis.prod},
     * {@code api.k8s}, {@code svc.cluster.local}), with its port; a single label with a port ({@code db-primary:5432},
     * not a time "12:30"); {@code localhost}.
     */
    private static final Pattern HOST = Pattern.compile("(?i)(?<![\\w.-])(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\\.)+"
            + "[a-z](?:[a-z0-9_-]*[a-z0-9_])?(?![\\w-])(?::\\d{1,5})?"
            + "|(?<![\\w.-])(?=[a-z0-9_-]*[a-z])[a-z0-9_-]+:\\d{1,5}(?![\\w:]|\\.\\d)"
            + "|\\blocalhost\\b(?::\\d{1,5})?");
    /** Someone at a host: {@code admin@db-primary}, {@code user:secret@cache:6379} (a URL without its scheme). */
    private static final Pattern USER_AT_HOST = Pattern.compile(
            "(?i)[^\\s@'\"<>()\\[\\]]+@\\[?[a-z0-9_:%.-]*[a-z0-9_\\]](?::\\d{1,5})?|'[^'\\s]*'@'[^'\\s]*'");
    /** A host given as a setting ({@code host=db-primary}, {@code server=cache}), whatever its form. */
    private static final Pattern HOST_SETTING = Pattern.compile(
            "(?i)\\b(host|hostname|server|addr|address|endpoint)(\\s*=\\s*)(?!\\[)[^\\s,;)'\"]+");
    /** A qualified class name ({@code java.net.ConnectException}, {@code com.acme.Store}), with its colon. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*\\b:?\\s*");
    /** An exception's class name ({@code SQLException:}), or a bare {@code Error:} leading a message. */
    private static final Pattern EXCEPTION = Pattern.compile(
            "\\b[A-Z][\\w$]*(?:Exception|Error|Throwable|Fault)\\b:?\\s*|(?<![\\w])(?:Error|Exception|Fatal)\\s*:\\s*");
    private static final Pattern PATH = Pattern.compile(
            "(?<![\\w.:/\\\\-])(?:[A-Za-z]:)?(?:[\\\\/][\\w.@~+-]+){2,}[\\\\/]?|(?<![\\w])~[\\\\/][\\w.@+-]+"
                    + "(?:[\\\\/][\\w.@+-]+)*");

    /**
     * What of an upstream's error text a caller may see: its first line, before any stack trace, with URLs,
     * addresses, host names, file paths and exception class names replaced, and at most 300 characters.
     */
    static String sanitized(String text) {
        if (text == null) {
            return "";
        }
        String s = text;
        int nl = indexOfLineBreak(s);
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        Matcher trace = TRACE.matcher(s);
        if (trace.find()) {
            s = s.substring(0, trace.start());
        }
        s = URL.matcher(s).replaceAll("[address]");
        s = USER_AT_HOST.matcher(s).replaceAll("[host]");
        s = HOST_SETTING.matcher(s).replaceAll("$1$2[host]");
        s = IPV6.matcher(s).replaceAll(m -> m.group().contains("::") && m.group().matches("(?i).*[0-9a-f].*")
                || m.group().chars().filter(c -> c == ':').count() >= 5
                ? "[address]" : Matcher.quoteReplacement(m.group()));
        s = IPV4.matcher(s).replaceAll("[address]");
        s = QUALIFIED.matcher(s).replaceAll("");
        s = EXCEPTION.matcher(s).replaceAll("");
        s = PATH.matcher(s).replaceAll("[path]"); // before hosts: a file name in a path is not a host of its own
        s = HOST.matcher(s).replaceAll("[host]");
        s = s.replaceAll("\\p{Cntrl}", " ").replaceAll("\\s{2,}", " ").strip();
        if (s.length() > MAX_MESSAGE) {
            s = s.substring(0, MAX_MESSAGE) + "...";
        }
        return s;
    }

    private static int indexOfLineBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                return i;
            }
        }
        return -1;
    }
}
