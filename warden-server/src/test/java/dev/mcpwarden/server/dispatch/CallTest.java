package dev.mcpwarden.server.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.jsonrpc.JsonRpcMessage;
import dev.mcpwarden.core.protocol.ProtocolVersion;
import dev.mcpwarden.server.auth.Principal;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the transport fixes about a call cannot be changed by a stage after it. */
class CallTest {

    static Call call() {
        return new Call(new JsonRpcMessage.Request(Json.nodes().numberNode(1), "tools/call", Json.object()),
                ProtocolVersion.V2026_07_28, null, Json.object(), null, Outbound.NONE);
    }

    static Principal principal(String subject) {
        return new Principal("https://issuer.example", subject, null, Set.of(), null, Set.of(), Map.of());
    }

    @Test
    void thePrincipalIsSetOnceByTheTransport() {
        Call c = call();
        c.principal(principal("alice"));
        assertThatThrownBy(() -> c.principal(principal("mallory")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the principal of a call is set once, by its transport");
        assertThat(c.principal().subject()).isEqualTo("alice");
    }

    @Test
    void theRemoteAddressIsSetOnceByTheTransport() {
        Call c = call();
        c.remoteAddress("203.0.113.7");
        assertThatThrownBy(() -> c.remoteAddress("127.0.0.1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the remote address of a call is set once, by its transport");
        assertThat(c.remoteAddress()).isEqualTo("203.0.113.7");
    }

    @Test
    void thePresentedTokenIsSetOnceByTheTransport() {
        Call c = call();
        assertThat(c.presentedToken()).isNull();
        c.presentedToken("eyJ.first");
        assertThatThrownBy(() -> c.presentedToken("eyJ.second"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the presented token of a call is set once, by its transport");
        assertThat(c.presentedToken()).isEqualTo("eyJ.first");
    }

    @Test
    void theCorrelationIdIsSetOnceAndOneMadeOnDemandStaysTheSame() {
        Call c = call();
        c.correlationId("3f9a1c07e2b4-000000002a");
        assertThatThrownBy(() -> c.correlationId("another"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the correlation id of a call is set once, by its transport");
        assertThat(c.correlationId()).isEqualTo("3f9a1c07e2b4-000000002a");

        Call stdio = call();
        String made = stdio.correlationId();
        assertThat(stdio.correlationId()).isEqualTo(made);
        assertThatThrownBy(() -> stdio.correlationId("late")).isInstanceOf(IllegalStateException.class);
    }
}
