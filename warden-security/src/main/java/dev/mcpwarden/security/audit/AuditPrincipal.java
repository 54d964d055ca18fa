package dev.mcpwarden.security.audit;

/**
 * Who acted, as far as the audit log is concerned: identifiers only, never credentials. Every field may be null
 * (an unauthenticated request has none).
 *
 * @param issuer   the token issuer ({@code iss})
 * @param subject  the subject ({@code sub})
 * @param clientId the OAuth client ({@code client_id} or {@code azp})
 * @param tenant   the tenant, where the deployment has tenants
 */
public record AuditPrincipal(String issuer, String subject, String clientId, String tenant) {

    /** No principal: an unauthenticated request, or an event of the log itself. */
    public static final AuditPrincipal NONE = new AuditPrincipal(null, null, null, null);

    static final int MAX_LENGTH = 1024;

    public AuditPrincipal {
        AuditEvent.checkText("principal.issuer", issuer, MAX_LENGTH);
        AuditEvent.checkText("principal.subject", subject, MAX_LENGTH);
        AuditEvent.checkText("principal.clientId", clientId, MAX_LENGTH);
        AuditEvent.checkText("principal.tenant", tenant, MAX_LENGTH);
    }

    public static AuditPrincipal of(String issuer, String subject, String clientId) {
        return new AuditPrincipal(issuer, subject, clientId, null);
    }

    /** The audit view of an authenticated principal (identifiers only). */
    public static AuditPrincipal of(dev.mcpwarden.server.auth.Principal p) {
        // Claims are the issuer's, but a token-like or oversized claim must not turn a request into a failure.
        return new AuditPrincipal(Audit.safe(p.issuer(), MAX_LENGTH), Audit.safe(p.subject(), MAX_LENGTH),
                Audit.safe(p.clientId(), MAX_LENGTH), Audit.safe(p.tenant(), MAX_LENGTH));
    }

    /** True when no field is set. */
    public boolean isEmpty() {
        return issuer == null && subject == null && clientId == null && tenant == null;
    }
}
