package dev.mcpwarden.telemetry;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** An OTLP/HTTP receiver of traces (protobuf encoding), as a collector is: it keeps every span it is sent. */
final class OtlpReceiver implements AutoCloseable {

    final List<Span> spans = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    private final Server jetty = new Server();
    private final ServerConnector connector = new ServerConnector(jetty);

    OtlpReceiver() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                paths.add(request.getHttpURI().getPath());
                try (InputStream in = Content.Source.asInputStream(request)) {
                    ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                    export.getResourceSpansList().forEach(r -> r.getScopeSpansList()
                            .forEach(s -> spans.addAll(s.getSpansList())));
                }
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/x-protobuf");
                response.write(true, ByteBuffer.wrap(ExportTraceServiceResponse.getDefaultInstance().toByteArray()),
                        callback);
                return true;
            }
        });
        jetty.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
