package dev.mcpwarden.security.ratelimit;

import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.server.auth.Principal;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Rejection;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rate and concurrency limits at the MCP level, after authentication: a request over a limit is refused with 429,
 * {@code Retry-After} and a JSON-RPC error naming the limit. What happens when the limiter's shared store is down
 * is chosen explicitly ({@link WhenUnavailable}).
 */
public final class RateLimitStage implements Stage<Call, JsonNode> {

    /** Counting blocks only when the limiter asks a shared store. */
    @Override
    public boolean mayBlock() {
        return limiter.mayBlock();
    }


    private static final Logger SECURITY = LoggerFactory.getLogger("dev.mcpwarden.security.events");

    /** When the limiter cannot count (its shared store is unreachable). */
    public enum WhenUnavailable {
        /** refuse with 503: no request passes uncounted */
        FAIL_CLOSED,
        /** let the request through and log it: availability over strictness */
        FAIL_OPEN
    }

    private final List<RateLimitRule> rules;
    private final List<ConcurrencyLimit> concurrency;
    private final RateLimiter limiter;
    private final WhenUnavailable whenUnavailable;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /**
     * The stage for {@code rules} and {@code concurrency} limits, counted by {@code limiter}; {@link #builder} names
     * the same parts one by one.
     */
    public RateLimitStage(List<RateLimitRule> rules, List<ConcurrencyLimit> concurrency, RateLimiter limiter,
                          WhenUnavailable whenUnavailable) {
        this.rules = List.copyOf(rules);
        this.concurrency = List.copyOf(concurrency);
        this.limiter = limiter;
        this.whenUnavailable = whenUnavailable;
    }

    /** A stage counting with {@code limiter}: add rules and concurrency limits; fails closed unless told. */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(java.util.Objects.requireNonNull(limiter, "limiter"));
    }

    /** Builds a {@link RateLimitStage} part by part. */
    public static final class Builder {
        private final RateLimiter limiter;
        private final List<RateLimitRule> rules = new java.util.ArrayList<>();
        private final List<ConcurrencyLimit> concurrency = new java.util.ArrayList<>();
        private WhenUnavailable whenUnavailable = WhenUnavailable.FAIL_CLOSED;

        private Builder(RateLimiter limiter) {
            this.limiter = limiter;
        }

        /** A token-bucket limit, e.g. {@link RateLimitRule#toolCallsPerMinutePerPrincipal(long)}. */
        public Builder rule(RateLimitRule rule) {
            rules.add(java.util.Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** At most so many requests in flight at once per key. */
        public Builder concurrency(ConcurrencyLimit limit) {
            concurrency.add(java.util.Objects.requireNonNull(limit, "limit"));
            return this;
        }

        /** What to do when the limiter cannot count (a shared store is down); {@code FAIL_CLOSED} by default. */
        public Builder whenUnavailable(WhenUnavailable when) {
            this.whenUnavailable = java.util.Objects.requireNonNull(when, "when");
            return this;
        }

        public RateLimitStage build() {
            if (rules.isEmpty() && concurrency.isEmpty()) {
                throw new IllegalStateException("a rate-limit stage needs at least one rule or concurrency limit");
            }
            return new RateLimitStage(rules, concurrency, limiter, whenUnavailable);
        }
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        for (RateLimitRule rule : rules) {
            if (!applies(rule.methods(), call)) {
                continue;
            }
            String key = key(rule.key(), call);
            RateLimiter.Decision d;
            try {
                d = limiter.tryConsume(rule, key);
            } catch (RateLimiter.RateLimiterUnavailable e) {
                if (whenUnavailable == WhenUnavailable.FAIL_OPEN) {
                    SECURITY.warn("rate limiter unavailable, request let through (fail-open): {}", e.getMessage());
                    SecurityEvents.report(call, new ControlEvent.LimiterUnavailable());
                    continue;
                }
                SECURITY.error("rate limiter unavailable, request refused (fail-closed): {}", e.getMessage());
                SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.RATE_LIMIT,
                        "limiter unavailable: refused (fail-closed)"));
                throw Rejection.unavailable("Service Unavailable: the rate limiter cannot be reached", 5);
            }
            if (d instanceof RateLimiter.Limited limited) {
                long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
                SECURITY.info("rate limit {} hit by subject={} key={}", rule.name(), call.principal().subject(),
                        rule.key());
                SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.RATE_LIMIT,
                        "rule " + rule.name() + " (" + rule.key() + ")"));
                throw tooMany(rule.name(), seconds);
            }
        }
        AtomicInteger[] held = new AtomicInteger[concurrency.size()];
        try {
            for (int i = 0; i < concurrency.size(); i++) {
                ConcurrencyLimit c = concurrency.get(i);
                if (!applies(c.methods(), call)) {
                    continue;
                }
                AtomicInteger n = inFlight.computeIfAbsent(c.name() + "\u0000" + key(c.key(), call),
                        k -> new AtomicInteger());
                if (n.incrementAndGet() > c.maxInFlight()) {
                    n.decrementAndGet();
                    SECURITY.info("concurrency limit {} hit by subject={}", c.name(), call.principal().subject());
                    SecurityEvents.report(call, new ControlEvent.Blocked(ControlEvent.Control.CONCURRENCY_LIMIT,
                            "limit " + c.name()));
                    throw tooMany(c.name(), 1);
                }
                held[i] = n;
            }
            return chain.proceed(call);
        } finally {
            for (AtomicInteger n : held) {
                if (n != null) {
                    n.decrementAndGet();
                }
            }
        }
    }

    private static Rejection tooMany(String limit, long seconds) {
        return Rejection.rateLimited(limit, seconds);
    }

    private static boolean applies(java.util.Set<String> methods, Call call) {
        return methods.isEmpty() || methods.contains(call.method());
    }

    static String key(RateLimitRule.Key key, Call call) {
        Principal p = call.principal();
        Target target = call.target();
        String tool = target != null && target.kind() == Target.Kind.TOOL ? target.name() : "";
        return switch (key) {
            case PRINCIPAL -> p.issuer() + "\u0000" + p.subject();
            case CLIENT -> p.issuer() + "\u0000" + String.valueOf(p.clientId());
            case TENANT -> p.issuer() + "\u0000" + String.valueOf(p.tenant());
            case TOOL -> tool;
            case PRINCIPAL_TOOL -> p.issuer() + "\u0000" + p.subject() + "\u0000" + tool;
            case ADDRESS -> String.valueOf(call.remoteAddress());
        };
    }

    @Override
    public String name() {
        return "rate-limit";
    }
}
