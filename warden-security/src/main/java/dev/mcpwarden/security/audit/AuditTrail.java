package dev.mcpwarden.security.audit;

import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.pipeline.Rejection;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the pipeline's audit events go. A request whose event cannot be recorded fails (503) rather than go
 * unrecorded: an audit trail with holes is worse than a refused request.
 */
@FunctionalInterface
public interface AuditTrail {

    /**
     * Records one event.
     *
     * @throws Rejection 503 when the event cannot be recorded (the log is saturated or has failed)
     */
    void record(AuditEvent event);

    /** Records nothing: for servers without an audit log. */
    AuditTrail NONE = event -> {
    };

    /** Records into {@code log}; back-pressure and failures of the log refuse the request with 503. */
    static AuditTrail of(AuditLog log) {
        Objects.requireNonNull(log, "log");
        Logger logger = LoggerFactory.getLogger(AuditTrail.class);
        return event -> {
            try {
                log.record(event);
            } catch (AuditException e) {
                logger.error("audit event not recorded ({}); refusing the request {}", e.getMessage(),
                        event.correlationId());
                throw Rejection.unavailable(
                        "Service unavailable: the audit log cannot record this request", 0).because("audit_unavailable");
            }
        };
    }
}
