package dev.mcpwarden.security.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The pinning proxy serves only the one vetted target. */
class PinnedTunnelTest {

    final List<InetSocketAddress> dialed = new CopyOnWriteArrayList<>();
    final PinnedTunnel.Dialer refuseAll = (address, timeout) -> {
        dialed.add(address);
        throw new IOException("test dialer never connects");
    };

    private String exchange(String request) throws Exception {
        UrlGuard.Target target = new UrlGuard.Target("http", "public.example", 80, "/",
                List.of(InetAddress.getByName("93.184.215.14")));
        try (PinnedTunnel tunnel = PinnedTunnel.open(target, refuseAll, Duration.ofSeconds(1));
                Socket s = new Socket()) {
            s.connect(tunnel.address(), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aConnectToAnyOtherHostIsDroppedWithoutDialing() throws Exception {
        assertThat(exchange("CONNECT evil.example:80 HTTP/1.1\r\nHost: evil.example:80\r\n\r\n")).isEmpty();
        assertThat(exchange("CONNECT public.example:8080 HTTP/1.1\r\n\r\n")).isEmpty();
        assertThat(dialed).isEmpty();
    }

    @Test
    void anAbsoluteFormRequestForAnotherHostIsDroppedWithoutDialing() throws Exception {
        assertThat(exchange("GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEmpty();
        assertThat(exchange("GET /relative HTTP/1.1\r\nHost: public.example\r\n\r\n")).isEmpty();
        assertThat(dialed).isEmpty();
    }

    @Test
    void theMatchingTargetIsDialedOnlyAtTheVettedAddress() throws Exception {
        assertThat(exchange("GET http://public.example/x HTTP/1.1\r\nHost: public.example\r\n\r\n")).isEmpty();
        assertThat(dialed).containsExactly(new InetSocketAddress(InetAddress.getByName("93.184.215.14"), 80));
    }
}
