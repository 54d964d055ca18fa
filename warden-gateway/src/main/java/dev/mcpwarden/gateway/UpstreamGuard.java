package dev.mcpwarden.gateway;

import dev.mcpwarden.client.McpClientException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * One upstream's concurrency limit and circuit breaker (Resilience4j), and the one retry a safe method gets when
 * the connection broke before an answer.
 */
final class UpstreamGuard {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamGuard.class);
    /** Methods that change nothing upstream, so a request that never reached it may be sent again. */
    private static final Set<String> SAFE = Set.of("tools/list", "prompts/list", "resources/list",
            "resources/templates/list", "resources/read", "prompts/get", "completion/complete");

    /** One try of the request. */
    @FunctionalInterface
    interface Attempt {
        JsonNode run() throws McpClientException;
    }

    private final UpstreamConfig config;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;

    UpstreamGuard(UpstreamConfig config) {
        this.config = config;
        UpstreamConfig.Resilience r = config.resilience();
        // "failuresToOpen in a row": a count window that size, open when every call in it failed.
        this.breaker = CircuitBreaker.of(config.name(), CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(r.failuresToOpen()).minimumNumberOfCalls(r.failuresToOpen())
                .failureRateThreshold(100).waitDurationInOpenState(r.openFor())
                .permittedNumberOfCallsInHalfOpenState(1).build());
        this.bulkhead = Bulkhead.of(config.name(), BulkheadConfig.custom().maxConcurrentCalls(r.maxConcurrent())
                .maxWaitDuration(java.time.Duration.ZERO).build());
        breaker.getEventPublisher().onStateTransition(e -> LOG.warn("upstream {}: circuit {}", config.name(),
                e.getStateTransition()));
    }

    /**
     * Runs the request within the limit and the circuit; {@code afterFailure} is told when the upstream did not
     * answer at all.
     *
     * @throws Upstream.Unavailable when the upstream is busy or its circuit open (it was not tried)
     */
    JsonNode run(String method, Attempt attempt, Consumer<McpClientException> afterFailure)
            throws McpClientException {
        if (!bulkhead.tryAcquirePermission()) {
            throw new Upstream.Unavailable(UpstreamFailure.Kind.BUSY, "Upstream " + config.name() + " is busy: "
                    + config.resilience().maxConcurrent() + " requests are in flight to it, its limit");
        }
        try {
            try {
                return once(attempt, afterFailure);
            } catch (McpClientException e) {
                if (SAFE.contains(method) && e.reason() == McpClientException.Reason.CONNECTION_FAILED) {
                    return once(attempt, afterFailure);
                }
                throw e;
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    private JsonNode once(Attempt attempt, Consumer<McpClientException> afterFailure) throws McpClientException {
        if (!breaker.tryAcquirePermission()) {
            throw new Upstream.Unavailable(UpstreamFailure.Kind.CIRCUIT_OPEN, "Upstream " + config.name() + " is unavailable: its circuit is open after "
                    + config.resilience().failuresToOpen() + " failures in a row, and it is tried again within "
                    + config.resilience().openFor().toSeconds() + " s");
        }
        long start = System.nanoTime();
        try {
            JsonNode r = attempt.run();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return r;
        } catch (McpClientException e) {
            if (failed(e)) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                afterFailure.accept(e);
            } else {
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS); // it answered: it is healthy
            }
            throw e;
        } catch (RuntimeException e) {
            breaker.releasePermission();
            throw e;
        }
    }

    /** Whether the upstream failed to answer at all (as opposed to answering with an error). */
    private static boolean failed(McpClientException e) {
        return switch (e.reason()) {
            case TIMEOUT, CONNECTION_REFUSED, CONNECTION_FAILED, MALFORMED_RESPONSE, PROCESS_FAILED, CLOSED -> true;
            case HTTP_STATUS -> e.httpStatus() >= 500;
            default -> false;
        };
    }

    /** Closes the circuit: the upstream is a new process, and the old one's failures say nothing of it. */
    void restarted() {
        breaker.transitionToClosedState();
    }

    /** The circuit's state, for operators: CLOSED, OPEN or HALF_OPEN. */
    String circuit() {
        return breaker.getState().name();
    }
}
