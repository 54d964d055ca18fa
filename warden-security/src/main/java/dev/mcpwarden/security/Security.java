package dev.mcpwarden.security;

import dev.mcpwarden.security.audit.Audit;
import dev.mcpwarden.security.guard.InputGuardStage;
import dev.mcpwarden.security.guard.OutputGuardStage;
import dev.mcpwarden.security.integrity.IntegrityGate;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinStore;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.security.audit.AuditLog;
import dev.mcpwarden.security.audit.AuditSink;
import dev.mcpwarden.security.audit.AuditTrail;
import dev.mcpwarden.security.oauth.AuthenticationConfig;
import dev.mcpwarden.security.oauth.Dpop;
import dev.mcpwarden.security.policy.PolicySet;
import dev.mcpwarden.security.ratelimit.RateLimitConfig;
import dev.mcpwarden.security.ratelimit.RateLimiterFactory;
import dev.mcpwarden.security.replay.ReplayCache;
import dev.mcpwarden.security.replay.ReplayCacheFactory;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security pipeline of a server or gateway: every control at its fixed position of the recipe
 * ({@link dev.mcpwarden.server.pipeline.Position}), built into one {@link Controls} value that installs both levels
 * at once with {@link dev.mcpwarden.server.McpServer.Builder#controls}. The order is the recipe's, never the order
 * of the calls here.
 *
 * <pre>{@code
 * Audit audit = Audit.to(AuditTrail.of(log));
 * ResourceServer rs = ResourceServer.builder(config).policy(policy).build();
 * Controls controls = Security.builder(rs)
 *         .audit(audit)
 *         .integrity(PinStore.file(Path.of("warden-pins.json")))
 *         .rateLimit(rateLimitStage)
 *         .inputGuards(inputGuards)
 *         .outputGuards(outputGuards)
 *         .build();
 * McpServer server = McpServer.builder("acme", "1.0").controls(controls).tools(new Acme()).build();
 * }</pre>
 */
public final class Security {

    private static final Logger LOG = LoggerFactory.getLogger(Security.class);

    private Security() {
    }

    /** A pipeline whose requests are authenticated and authorised by {@code resourceServer}. */
    public static Builder builder(ResourceServer resourceServer) {
        return new Builder(Objects.requireNonNull(resourceServer, "resourceServer"));
    }

    /**
     * A pipeline with no authentication and no authorization: every caller is anonymous and reaches every tool. For
     * stdio servers (the local user is the only caller) and development; logs a warning when built.
     */
    public static Builder insecureWithoutAuthentication() {
        return new Builder(null);
    }

    /**
     * The pipeline a configuration describes (the {@code security} section of {@code warden.yaml}), every part on
     * one clock. The result is a builder: code can still add what YAML cannot say before {@link Builder#build}.
     * The audit log, if one is configured, is opened here and closed (its queue drained first) when the JVM stops.
     *
     * @throws IOException when the policy, the pin file or the audit log cannot be read or opened
     * @throws dev.mcpwarden.security.policy.InvalidPolicyException when the policy file has errors
     */
    public static Builder from(SecurityConfig config, InstantSource clock) throws IOException {
        return from(config, clock, e -> {
        });
    }

    /**
     * As {@link #from(SecurityConfig, InstantSource)}, and the integrity gate's decisions also go to
     * {@code integrityListener} (after the audit log): metrics count withheld definitions there.
     */
    public static Builder from(SecurityConfig config, InstantSource clock,
                               java.util.function.Consumer<dev.mcpwarden.security.integrity.IntegrityEvent>
                                       integrityListener) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(integrityListener, "integrityListener");
        Objects.requireNonNull(clock, "clock");
        AuthenticationConfig authn = config.authentication();
        ResourceServer.Builder rs = ResourceServer.builder(authn.resourceServer())
                .scopes(config.scopes().toRequirements())
                .clock(clock);
        authn.dpop().ifPresent(rs::dpop);
        if (authn.dpop().isPresent()) {
            // replicas that share a Redis for their rate limits share it for DPoP replays too: a proof accepted
            // by one replica is refused by all (never fails open, unlike a fail-open limiter)
            Optional<ReplayCache> shared = ReplayCacheFactory.sharedIn(config.rateLimits().limiter());
            shared.ifPresent(rs::replayCache);
            Dpop d = authn.dpop().get();
            if (shared.isPresent() && d.requireNonce() && d.nonceSecret().isEmpty()) {
                // a shared store says there are replicas; their nonces are not interchangeable without one key
                LOG.warn("DPoP nonces are required but no "
                        + "dpop.nonce-secret is set: each replica accepts only its own nonces, so a client moving "
                        + "between replicas is asked for a new one; give every replica the same nonce-secret");
            }
        }
        authn.introspection().ifPresent(rs::introspection);
        if (config.policy().isPresent()) {
            rs.policy(PolicySet.load(config.policy().get()).asAccessPolicy());
        } else {
            rs.scopesOnly();
        }
        Builder b = new Builder(rs.build());
        Audit audit = null;
        if (config.audit().chainFile().isPresent()) {
            AuditLog log = AuditLog.open(AuditSink.file(config.audit().chainFile().get()), config.audit().options(),
                    clock);
            // The log closes itself at shutdown, after the transports drained (Shutdown.Phase.FLUSH).
            audit = Audit.to(AuditTrail.of(log), clock);
            b.audit(audit);
        }
        if (config.integrity().isPresent()) {
            IntegrityGate.Builder gate = IntegrityGate.builder(config.integrity().get().store()).clock(clock);
            gate.listener(audit != null ? audit.integrityListener().andThen(integrityListener) : integrityListener);
            b.integrity(IntegrityStage.of(gate.build()));
        }
        RateLimitConfig limits = config.rateLimits();
        if (!limits.isEmpty()) {
            b.rateLimit(new RateLimitStage(limits.rules(), limits.concurrency(),
                    RateLimiterFactory.of(limits.limiter(), clock), limits.whenUnavailable()));
        }
        if (!config.inputGuards().guards().isEmpty()) {
            b.inputGuards(config.inputGuards().toStage());
        }
        b.outputGuards(config.outputGuards().toStage());
        return b;
    }

    /** Builds the {@link Controls} of a security pipeline. */
    public static final class Builder {
        private final ResourceServer resourceServer;
        private Audit audit;
        private IntegrityStage integrity;
        private PinStore pins;
        private RateLimitStage rateLimit;
        private InputGuardStage inputGuards;
        private OutputGuardStage outputGuards;
        private final java.util.List<dev.mcpwarden.server.events.SecurityEventListener> listeners =
                new java.util.ArrayList<>();

        private Builder(ResourceServer resourceServer) {
            this.resourceServer = resourceServer;
        }

        /** One audit record per request, refusals at the transport, sessions, and definition decisions. */
        public Builder audit(Audit audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** Pinned definitions from {@code pins}; the gate's decisions go to the audit trail, if any. */
        public Builder integrity(PinStore pins) {
            this.pins = Objects.requireNonNull(pins, "pins");
            this.integrity = null;
            return this;
        }

        /** Pinned definitions through a gate built by the caller (its own listener, unpinned policy or clock). */
        public Builder integrity(IntegrityStage integrity) {
            this.integrity = Objects.requireNonNull(integrity, "integrity");
            this.pins = null;
            return this;
        }

        /**
         * A further listener of the event stream (metrics, traces, a SIEM forwarder), called after the audit log, in
         * the order added. It hears every request's start and end and everything the controls decided in between.
         */
        public Builder listener(dev.mcpwarden.server.events.SecurityEventListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Builder rateLimit(RateLimitStage rateLimit) {
            this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
            return this;
        }

        public Builder inputGuards(InputGuardStage inputGuards) {
            this.inputGuards = Objects.requireNonNull(inputGuards, "inputGuards");
            return this;
        }

        public Builder outputGuards(OutputGuardStage outputGuards) {
            this.outputGuards = Objects.requireNonNull(outputGuards, "outputGuards");
            return this;
        }

        public Controls build() {
            Controls.Builder c = Controls.builder();
            if (resourceServer != null) {
                resourceServer.addTo(c);
            } else {
                LOG.warn("SECURITY PIPELINE WITHOUT AUTHENTICATION: every caller is anonymous and reaches every "
                        + "tool; serve it only over stdio or to yourself on loopback");
                c.insecureWithoutAuthentication();
            }
            if (audit != null) {
                c.listener(audit.listener());
            }
            listeners.forEach(c::listener);
            if (pins != null) {
                IntegrityGate.Builder gate = IntegrityGate.builder(pins);
                if (audit != null) {
                    gate.listener(audit.integrityListener());
                }
                c.integrity(IntegrityStage.of(gate.build()));
            } else if (integrity != null) {
                c.integrity(integrity);
            }
            if (rateLimit != null) {
                c.rateLimit(rateLimit);
            }
            if (inputGuards != null) {
                c.inputGuards(inputGuards);
            }
            if (outputGuards != null) {
                c.outputGuards(outputGuards);
            }
            return c.build();
        }
    }
}
