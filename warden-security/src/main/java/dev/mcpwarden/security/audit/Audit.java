package dev.mcpwarden.security.audit;

import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.server.events.SecurityEventListener;
import dev.mcpwarden.server.pipeline.CorrelationIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Puts a server's security events on an {@link AuditTrail}: one event per MCP request (with the policy rule,
 * blocking control and guard findings the other stages noted), refusals at the transport, session starts and ends,
 * authentication results and tool-integrity decisions, all sharing the request's correlation id.
 *
 * <pre>{@code
 * AuditLog log = AuditLog.open(AuditSink.file(path), AuditLogOptions.defaults(), clock);
 * Audit audit = Audit.to(AuditTrail.of(log));
 * ResourceServer rs = ResourceServer.builder(config).policy(policy).build();
 * Controls controls = Security.builder(rs).audit(audit).build();   // events at both levels, first in the recipe
 * HttpTransport http = McpServer.builder("acme", "1.0").controls(controls).tool(...).build().serveHttp(options);
 * }</pre>
 */
public final class Audit {

    private final AuditTrail trail;
    private final InstantSource clock;

    private final AuditRecorder listener;

    private Audit(AuditTrail trail, InstantSource clock) {
        this.trail = Objects.requireNonNull(trail, "trail");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = new AuditRecorder(trail, clock, Duration.ofMinutes(10));
    }

    public static Audit to(AuditTrail trail) {
        return new Audit(trail, InstantSource.system());
    }

    public static Audit to(AuditTrail trail, InstantSource clock) {
        return new Audit(trail, clock);
    }

    public AuditTrail trail() {
        return trail;
    }

    /**
     * The audit log as a listener of the event stream: one record per request when it ends, refusals before a call,
     * sessions, every authentication refusal and each credential's first acceptance per 10 minutes. Installed by
     * {@link dev.mcpwarden.security.Security.Builder#audit}.
     */
    public SecurityEventListener listener() {
        return listener;
    }

    /** Records tool-integrity decisions (withheld, approved, removed, collisions) as {@code DEFINITION} events. */
    public Consumer<IntegrityEvent> integrityListener() {
        return e -> {
            Map<String, Object> detail = new LinkedHashMap<>(e.details());
            trail.record(AuditEvent.builder(AuditEventType.DEFINITION, e.time(), CorrelationIds.next())
                    .principal(e.actor() == null ? AuditPrincipal.NONE
                            : new AuditPrincipal(null, safe(e.actor(), AuditPrincipal.MAX_LENGTH), null, null))
                    .target(safe(e.kind().pinKey() + "/" + e.name(), AuditEvent.MAX_TARGET_LENGTH))
                    .outcome(e.type().name().toLowerCase(java.util.Locale.ROOT))
                    .detail(detail)
                    .build());
        };
    }

    /** {@code sha256:} and the first 16 hex digits of a value's SHA-256: lets records be correlated, reveals nothing. */
    static String fingerprint(String secret) {
        byte[] digest = RecordFormat.sha256(secret.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + java.util.HexFormat.of().formatHex(digest, 0, 8);
    }

    /** A JWT or JWS anywhere in a text: a base64url JSON header ({@code eyJ}) and at least one more segment. */
    private static final java.util.regex.Pattern EMBEDDED_TOKEN =
            java.util.regex.Pattern.compile("eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]*)?");
    static final String WITHHELD = "[token-like value withheld]";

    /**
     * A client-supplied text made fit for a record: bounded, and with anything that looks like a token replaced,
     * wherever it appears in the text (a method name, a URI, an error message quoting what the client sent).
     */
    static String safe(String value, int max) {
        if (value == null) {
            return null;
        }
        String v = value;
        if (v.contains("eyJ")) {
            v = EMBEDDED_TOKEN.matcher(v).replaceAll(WITHHELD);
        }
        if (v.length() > max) {
            v = v.substring(0, max - 1) + "…";
        }
        return AuditEvent.looksLikeJwt(v) ? WITHHELD : v;
    }
}
