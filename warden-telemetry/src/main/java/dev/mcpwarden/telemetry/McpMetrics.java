package dev.mcpwarden.telemetry;

import dev.mcpwarden.security.integrity.IntegrityEvent;
import dev.mcpwarden.server.auth.Authenticator;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.http.HttpExchange;
import dev.mcpwarden.server.pipeline.Rejection;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The metrics of the event stream: the MCP semantic conventions' operation and session durations, and Warden's own
 * security counters. Labels are low-cardinality by construction: methods from a fixed list, tool and prompt names
 * only of requests that were answered (the definition exists), rule names and finding kinds from configuration, each
 * capped ({@link BoundedLabels}); never a subject, a client id, an address, an argument or a resource URI (those are
 * for the audit log).
 */
final class McpMetrics {

    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    static final AttributeKey<String> ERROR = AttributeKey.stringKey("error");
    static final AttributeKey<String> RULE = AttributeKey.stringKey("rule");
    static final AttributeKey<String> LIMIT = AttributeKey.stringKey("limit");
    static final AttributeKey<String> GUARD = AttributeKey.stringKey("guard");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");
    static final AttributeKey<String> ACTION = AttributeKey.stringKey("action");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("upstream");
    static final AttributeKey<String> STATE = AttributeKey.stringKey("state");

    /** Seconds; the conventions' advice, with finer buckets below 10 ms where a pipeline in memory answers. */
    static final List<Double> DURATION_BUCKETS = List.of(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02,
            0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0);
    static final List<Double> SESSION_BUCKETS = List.of(1.0, 5.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0,
            14400.0, 28800.0, 86400.0);
    /** Sessions whose start is remembered for their duration; beyond, a session is not timed (memory is bounded). */
    static final int MAX_TIMED_SESSIONS = 100_000;
    /** The circuit states an upstream can be in, each a series (1 for the current state, 0 for the others). */
    static final List<String> CIRCUIT_STATES = List.of("CLOSED", "HALF_OPEN", "OPEN");

    private final DoubleHistogram duration;
    private final DoubleHistogram sessionDuration;
    private final LongCounter requests;
    private final LongCounter authFailures;
    private final LongCounter policyDenials;
    private final LongCounter rateLimited;
    private final LongCounter findings;
    private final LongCounter quarantines;
    private final LongCounter withheld;
    private final LongCounter httpRefusals;
    private final BoundedLabels targets = new BoundedLabels(512);
    private final BoundedLabels rules = new BoundedLabels(128);
    private final BoundedLabels words = new BoundedLabels(128);
    private final Map<String, Long> sessionStarts = new ConcurrentHashMap<>();

    McpMetrics(Meter meter) {
        duration = meter.histogramBuilder("mcp.server.operation.duration").setUnit("s")
                .setDescription("Duration of MCP requests as seen by the server")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        sessionDuration = meter.histogramBuilder("mcp.server.session.duration").setUnit("s")
                .setDescription("Duration of 2025 MCP sessions, from initialize to DELETE")
                .setExplicitBucketBoundariesAdvice(SESSION_BUCKETS).build();
        requests = meter.counterBuilder("warden.requests").setUnit("{request}")
                .setDescription("MCP requests that passed the pipeline, by method and outcome").build();
        authFailures = meter.counterBuilder("warden.authentication.failures").setUnit("{request}")
                .setDescription("Requests refused at authentication, by OAuth error").build();
        policyDenials = meter.counterBuilder("warden.policy.denials").setUnit("{request}")
                .setDescription("Requests the policy (or a missing scope) denied, by rule").build();
        rateLimited = meter.counterBuilder("warden.rate_limit.rejections").setUnit("{request}")
                .setDescription("Requests refused by a rate or concurrency limit").build();
        findings = meter.counterBuilder("warden.guard.findings").setUnit("{finding}")
                .setDescription("What the input and output guards found, by guard, kind and action").build();
        quarantines = meter.counterBuilder("warden.quarantines").setUnit("{result}")
                .setDescription("Results withheld from the client by the output guard's quarantine").build();
        withheld = meter.counterBuilder("warden.definitions.withheld").setUnit("{definition}")
                .setDescription("Definitions withheld: changed from their pin (rug pull), unpinned, colliding or "
                        + "poisoned, or a request for one").build();
        httpRefusals = meter.counterBuilder("warden.http.refusals").setUnit("{request}")
                .setDescription("HTTP requests refused before they became MCP requests, by status").build();
    }

    /** Observes the audit log's queue (records accepted, not yet written). */
    void auditQueue(Meter meter, LongSupplier depth) {
        meter.gaugeBuilder("warden.audit.queue.depth").ofLongs().setUnit("{record}")
                .setDescription("Audit records waiting to be written").buildWithCallback(m -> m.record(depth.getAsLong()));
    }

    /** Observes each upstream's circuit: one series per state, 1 for the state it is in. */
    void upstreamCircuits(Meter meter, Supplier<Map<String, String>> circuits) {
        meter.gaugeBuilder("warden.upstream.circuit.state").ofLongs()
                .setDescription("Circuit state of each upstream (1 for the current state)").buildWithCallback(m -> {
                    for (Map.Entry<String, String> e : circuits.get().entrySet()) {
                        String upstream = rules.of(e.getKey());
                        for (String state : CIRCUIT_STATES) {
                            m.record(state.equals(e.getValue()) ? 1 : 0,
                                    Attributes.of(UPSTREAM, upstream, STATE, state));
                        }
                    }
                });
    }

    void ended(Call call, Ending ending, long elapsedNanos) {
        String method = McpRequest.method(call);
        // A name is a label only when the request reached its definition: names clients make up are never series.
        String name = ending instanceof Ending.Answered ? McpRequest.targetName(call) : null;
        String error = McpRequest.errorType(ending);
        OperationKey key = new OperationKey(method, name == null ? null : targets.of(name),
                "tools/call".equals(call.method()), error == null ? null : words.of(error),
                call.version().id(), McpRequest.transport(call), McpRequest.outcome(ending));
        Labels labels = labels(key);
        duration.record(elapsedNanos / 1e9, labels.duration());
        requests.add(1, labels.requests());
    }

    /** What one request's metrics are labelled with; every part bounded, so the set of keys is too. */
    private record OperationKey(String method, String name, boolean tool, String error, String version,
                                String transport, String outcome) {
    }

    private record Labels(Attributes duration, Attributes requests) {
    }

    /** Attributes built once per label combination: the request path then only looks them up. */
    private final Map<OperationKey, Labels> labels = new ConcurrentHashMap<>();
    /** More combinations than these are built per request, not kept (a bound on memory, not on correctness). */
    static final int MAX_CACHED_LABELS = 4096;

    private Labels labels(OperationKey k) {
        Labels l = labels.get(k);
        if (l != null) {
            return l;
        }
        AttributesBuilder a = Attributes.builder().put(McpTracing.METHOD, k.method())
                .put(McpTracing.TRANSPORT, k.transport()).put(McpTracing.PROTOCOL_VERSION, k.version());
        if (k.name() != null) {
            a.put(k.tool() ? McpTracing.TOOL : McpTracing.PROMPT, k.name());
        }
        if (k.error() != null) {
            a.put(McpTracing.ERROR_TYPE, k.error());
        }
        l = new Labels(a.build(), Attributes.of(McpTracing.METHOD, k.method(), OUTCOME, k.outcome()));
        if (labels.size() < MAX_CACHED_LABELS) {
            labels.putIfAbsent(k, l);
        }
        return l;
    }

    void controlled(ControlEvent event) {
        switch (event) {
            case ControlEvent.PolicyDecided d when !d.allowed() -> policyDenials.add(1, Attributes.of(RULE,
                    rules.of(d.rule())));
            case ControlEvent.ScopesMissing s -> policyDenials.add(1, Attributes.of(RULE, "scopes"));
            case ControlEvent.Blocked b when b.control() == ControlEvent.Control.RATE_LIMIT
                    || b.control() == ControlEvent.Control.CONCURRENCY_LIMIT ->
                    rateLimited.add(1, Attributes.of(LIMIT, b.control().word()));
            case ControlEvent.Finding f -> {
                findings.add(f.count(), Attributes.of(GUARD, f.control().word(), KIND, words.of(f.kind()), ACTION,
                        words.of(f.action())));
                if ("quarantined".equals(f.action())) {
                    quarantines.add(1);
                }
            }
            case ControlEvent.Withheld w -> withheld.add(1, Attributes.of(REASON, "request"));
            default -> {
            }
        }
    }

    void integrity(IntegrityEvent e) {
        if (e.withheld()) {
            withheld.add(1, Attributes.of(REASON, e.type().name().toLowerCase(Locale.ROOT), KIND, e.kind().pinKey()));
        }
    }

    void authenticationRefused(Authenticator.RequestHead request, Rejection rejection) {
        authFailures.add(1, Attributes.of(ERROR, words.of(rejection.outcome()),
                STATUS, Integer.toString(rejection.status())));
    }

    void refused(HttpExchange exchange, Rejection rejection) {
        httpRefusals.add(1, Attributes.of(STATUS, Integer.toString(rejection.status())));
    }

    void sessionStarted(String sessionId) {
        if (sessionStarts.size() < MAX_TIMED_SESSIONS) {
            sessionStarts.put(sessionId, System.nanoTime());
        }
    }

    void sessionEnded(String sessionId) {
        Long start = sessionStarts.remove(sessionId);
        if (start != null) {
            sessionDuration.record((System.nanoTime() - start) / 1e9);
        }
    }
}
