package dev.mcpwarden.testkit;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Raw HTTP calls to an MCP endpoint, for tests that need exact control over headers and bodies. A test that only
 * needs to talk MCP (era detection, sessions, SSE) uses {@code dev.mcpwarden.client.McpClient} from warden-client
 * instead; the testkit cannot depend on it, as warden-client's own tests run against warden-server, whose tests use
 * the testkit.
 */
public final class McpHttp {

    /** A response: status, headers (lower-case names) and body text. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            return Json.standard().parse(body);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final URI endpoint;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public McpHttp(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** The {@code _meta} a 2026-07-28 request carries, with the given client capabilities. */
    public static ObjectNode meta2026(ObjectNode capabilities) {
        ObjectNode m = Json.object();
        m.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        m.set("io.modelcontextprotocol/clientCapabilities", capabilities == null ? Json.object() : capabilities);
        return m;
    }

    /** A JSON-RPC request body. */
    public static String request(Object id, String method, ObjectNode params) {
        ObjectNode r = Json.object();
        r.put("jsonrpc", "2.0");
        if (id instanceof Number n) {
            r.put("id", n.longValue());
        } else {
            r.put("id", String.valueOf(id));
        }
        r.put("method", method);
        if (params != null) {
            r.set("params", params);
        }
        return Json.standard().text(r);
    }

    /** Headers of a well-formed 2026-07-28 POST for {@code method}. */
    public static Map<String, String> headers2026(String method, String name) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Accept", "application/json, text/event-stream");
        h.put("MCP-Protocol-Version", "2026-07-28");
        h.put("Mcp-Method", method);
        if (name != null) {
            h.put("Mcp-Name", name);
        }
        return h;
    }

    public Reply post(Map<String, String> headers, String body) throws IOException, InterruptedException {
        return send("POST", headers, body);
    }

    public Reply send(String method, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(20));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Map<String, String> h = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        return new Reply(r.statusCode(), h, r.body());
    }

    /**
     * A POST written on a plain socket in one write, head and body together: for headers the JDK client refuses to
     * set (such as {@code Host}), and for a body that must have arrived when the server reads the head. Returns the
     * status line's code, the headers (names in lower case) and the body as sent (chunked framing left in).
     */
    public Reply rawPost(String hostHeader, Map<String, String> headers, String body) throws IOException {
        try (Socket s = new Socket(endpoint.getHost(), endpoint.getPort())) {
            s.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder();
            req.append("POST ").append(endpoint.getRawPath()).append(" HTTP/1.1\r\n");
            req.append("Host: ").append(hostHeader).append("\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Content-Length: ").append(bytes.length).append("\r\n");
            req.append("Connection: close\r\n\r\n");
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.writeBytes(req.toString().getBytes(StandardCharsets.US_ASCII));
            all.writeBytes(bytes);
            OutputStream out = s.getOutputStream();
            out.write(all.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(raw.substring(9, 12));
            int split = raw.indexOf("\r\n\r\n");
            Map<String, String> h = new LinkedHashMap<>();
            if (split > 0) {
                raw.substring(0, split).lines().skip(1).filter(l -> l.indexOf(':') > 0).forEach(l -> h.put(
                        l.substring(0, l.indexOf(':')).toLowerCase(java.util.Locale.ROOT),
                        l.substring(l.indexOf(':') + 1).strip()));
            }
            return new Reply(status, h, split < 0 ? "" : raw.substring(split + 4));
        }
    }
}
