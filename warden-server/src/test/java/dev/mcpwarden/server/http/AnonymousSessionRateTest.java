package dev.mcpwarden.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.core.content.ToolResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anonymous callers (a server without authentication) are one principal: their session requests are paid per
 * network instead, so one of them churning sessions leaves the others theirs.
 */
@Timeout(60)
class AnonymousSessionRateTest {

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    /** An HTTP/1.1 POST of {@code initialize} from the loopback address {@code from}; the status line's code. */
    static int initializeFrom(HttpTransport http, String from) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", http.uri().getPort()), 5_000);
            byte[] body = INITIALIZE.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + http.uri().getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + http.uri().getPort()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    @Test
    void oneAnonymousNetworkOverItsSessionStartRateLeavesAnotherItsOwn() throws Exception {
        McpServer server = McpServer.builder("anonymous", "1.0.0")
                .controls(dev.mcpwarden.server.Controls.insecureWithoutAuthentication())
                .tool(Tool.builder("echo").description("Echoes").handler(ctx -> ToolResult.text("ok")).build())
                .build();
        // the limits come with the options, as a configuration file gives them
        HttpTransport http = HttpTransport.builder(server, HttpOptions.loopback(0).withLimits(
                TransportLimits.DEFAULTS.withSessionStarts(new TransportLimits.Rate(2, 1.0 / 3600)))).start();
        try {
            assertThat(initializeFrom(http, "127.0.0.2")).isEqualTo(200);
            assertThat(initializeFrom(http, "127.0.0.2")).isEqualTo(200);
            assertThat(initializeFrom(http, "127.0.0.2")).as("its network's budget is spent").isEqualTo(429);
            assertThat(initializeFrom(http, "127.0.0.3")).as("another anonymous caller's is not").isEqualTo(200);
        } finally {
            http.close();
        }
    }

    @Test
    void anIpv6CallerIsCountedByItsSlash64() {
        assertThat(McpEndpoint.network("2001:db8:1:2:aaaa::1")).isEqualTo(McpEndpoint.network("2001:db8:1:2:bbbb::9"))
                .isEqualTo("20010db800010002::/64");
        assertThat(McpEndpoint.network("[2001:db8:1:3::1]")).isEqualTo("20010db800010003::/64");
        assertThat(McpEndpoint.network("192.0.2.7")).isEqualTo("192.0.2.7");
    }
}
