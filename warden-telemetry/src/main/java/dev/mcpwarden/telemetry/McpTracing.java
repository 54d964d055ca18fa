package dev.mcpwarden.telemetry;

import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.events.Ending;
import dev.mcpwarden.server.events.StageTiming;
import dev.mcpwarden.server.events.StageTracer;
import dev.mcpwarden.server.events.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;

/**
 * One SERVER span per MCP request, named and attributed by the MCP semantic conventions, with a child span for each
 * part of a stage's own work and for the backend. The parent is the W3C context in {@code params._meta} (SEP-414),
 * else the one in the HTTP headers; when both are there, the HTTP one is a link. While a request is traced, its log
 * lines carry {@code trace_id} and {@code span_id}, and its backend passes the context on
 * ({@link Call#OUTGOING_TRACE_CONTEXT}).
 */
final class McpTracing {

    /** MDC key of the trace id of the request being served. */
    static final String LOG_TRACE_ID = "trace_id";
    /** MDC key of the request's span id. */
    static final String LOG_SPAN_ID = "span_id";

    static final AttributeKey<String> METHOD = AttributeKey.stringKey("mcp.method.name");
    static final AttributeKey<String> TOOL = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> PROMPT = AttributeKey.stringKey("gen_ai.prompt.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> RESOURCE_URI = AttributeKey.stringKey("mcp.resource.uri");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("mcp.protocol.version");
    static final AttributeKey<String> SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> STATUS_CODE = AttributeKey.stringKey("rpc.response.status_code");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("network.transport");
    static final AttributeKey<String> STAGE = AttributeKey.stringKey("warden.stage");

    /** The longest resource URI put on a span; longer ones are cut (a URI is chosen by the client). */
    static final int MAX_URI_LENGTH = 256;

    private static final Call.Attribute<Span> SPAN = new Call.Attribute<>("otel-span", Span.class);
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** The stage whose work is after the backend (on the result), not before it. */
    private static final String OUTPUT_GUARDS = "output-guards";

    private final Tracer tracer;

    McpTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    void started(Call call) {
        String method = McpRequest.method(call);
        String name = McpRequest.targetName(call);
        SpanBuilder b = tracer.spanBuilder(name == null ? method : method + " " + name).setSpanKind(SpanKind.SERVER);
        Context meta = fromMeta(call.params());
        TraceContext headers = call.attribute(Call.HTTP_TRACE_CONTEXT);
        Context http = headers == null ? null : extract(headers);
        b.setParent(meta != null ? meta : http != null ? http : Context.root());
        // A credential verified for this request (not from memory) was checked before the call existed: the
        // request's span starts then, and the verification is its first child.
        StageTiming verification = call.attribute(Call.TOKEN_VERIFICATION);
        if (verification != null) {
            b.setStartTimestamp(verification.startEpochNanos(), TimeUnit.NANOSECONDS);
        }
        Span span = b.startSpan();
        call.attribute(SPAN, span);
        if (span.isRecording()) {
            // Attributes only on spans that are kept: the sampler decides on the trace id alone, and most
            // requests are not sampled.
            describe(span, call, method, name);
            if (meta != null && http != null) {
                span.addLink(Span.fromContext(http).getSpanContext());
            }
            if (verification != null) {
                tracer.spanBuilder(StageTracer.TOKEN_VERIFICATION).setParent(Context.root().with(span))
                        .setSpanKind(SpanKind.INTERNAL).setAttribute(STAGE, StageTracer.TOKEN_VERIFICATION)
                        .setStartTimestamp(verification.startEpochNanos(), TimeUnit.NANOSECONDS).startSpan()
                        .end(verification.startEpochNanos() + verification.durationNanos(), TimeUnit.NANOSECONDS);
            }
        }
        SpanContext sc = span.getSpanContext();
        if (sc.isValid()) {
            MDC.put(LOG_TRACE_ID, sc.getTraceId());
            MDC.put(LOG_SPAN_ID, sc.getSpanId());
        }
    }

    private static void describe(Span span, Call call, String method, String name) {
        span.setAttribute(METHOD, method);
        span.setAttribute(TRANSPORT, McpRequest.transport(call));
        span.setAttribute(PROTOCOL_VERSION, call.version().id());
        if (name != null) {
            boolean tool = "tools/call".equals(call.method());
            span.setAttribute(tool ? TOOL : PROMPT, name);
            if (tool) {
                span.setAttribute(OPERATION, "execute_tool");
            }
        }
        if (call.target() != null && call.target().kind() == dev.mcpwarden.server.pipeline.Target.Kind.RESOURCE) {
            String uri = call.target().name();
            span.setAttribute(RESOURCE_URI, uri.length() > MAX_URI_LENGTH ? uri.substring(0, MAX_URI_LENGTH) : uri);
        }
        JsonNode id = call.request().id();
        if (id != null && !id.isNull()) {
            span.setAttribute(REQUEST_ID, id.isString() ? id.asString() : id.toString());
        }
        // Only 2025 sessions: a 2026-07-28 request has none, and the conventions say not to invent one.
        if (call.session() != null) {
            span.setAttribute(SESSION_ID, call.session().id());
        }
    }

    void ended(Call call, Ending ending) {
        Span span = call.attribute(SPAN);
        if (span == null) {
            return;
        }
        if (span.isRecording()) {
            String error = McpRequest.errorType(ending);
            if (error != null) {
                span.setAttribute(ERROR_TYPE, error);
                span.setStatus(StatusCode.ERROR);
            }
            String status = McpRequest.statusCode(ending);
            if (status != null) {
                span.setAttribute(STATUS_CODE, status);
            }
        }
        span.end();
        MDC.remove(LOG_TRACE_ID);
        MDC.remove(LOG_SPAN_ID);
    }

    StageTracer.Scope enter(Call call, String stage, boolean afterChain) {
        Span parent = call.attribute(SPAN);
        // An output guard's work is on the result, after the chain; every other stage's is before it.
        if (parent == null || !parent.isRecording() || afterChain != OUTPUT_GUARDS.equals(stage)) {
            return StageTracer.Scope.NONE;
        }
        boolean backend = StageTracer.BACKEND.equals(stage);
        Context parentContext = Context.root().with(parent);
        Span span = tracer.spanBuilder(backend ? "backend" : stage).setParent(parentContext)
                .setSpanKind(SpanKind.INTERNAL).setAttribute(STAGE, stage).startSpan();
        Context context = parentContext.with(span);
        if (backend) {
            call.attribute(Call.OUTGOING_TRACE_CONTEXT, inject(context));
        }
        Scope scope = context.makeCurrent();
        return failure -> {
            scope.close();
            if (failure instanceof dev.mcpwarden.server.pipeline.Rejection r) {
                span.setAttribute(ERROR_TYPE, Integer.toString(r.code()));
            } else if (failure instanceof dev.mcpwarden.core.jsonrpc.McpError e) {
                span.setAttribute(ERROR_TYPE, Integer.toString(e.code()));
            } else if (failure != null) {
                span.setAttribute(ERROR_TYPE, failure.getClass().getName());
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        };
    }

    private static Context fromMeta(JsonNode params) {
        if (params == null) {
            return null;
        }
        JsonNode meta = params.get("_meta");
        if (meta == null || !meta.isObject()) {
            return null;
        }
        JsonNode parent = meta.get("traceparent");
        if (parent == null || !parent.isString()) {
            return null;
        }
        JsonNode state = meta.get("tracestate");
        TraceContext tc = TraceContext.of(parent.asString(), state != null && state.isString() ? state.asString()
                : null);
        return tc == null ? null : extract(tc);
    }

    /** The context of {@code tc}, or null when its traceparent is not a valid W3C one. */
    private static Context extract(TraceContext tc) {
        Context c = W3C.extract(Context.root(), tc, GETTER);
        return Span.fromContext(c).getSpanContext().isValid() ? c : null;
    }

    private static TraceContext inject(Context context) {
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(context, carrier, Map::put);
        return TraceContext.of(carrier.get("traceparent"), carrier.get("tracestate"));
    }

    private static final TextMapGetter<TraceContext> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceContext carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(TraceContext carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> carrier.traceparent();
                case "tracestate" -> carrier.tracestate();
                default -> null;
            };
        }
    };
}
