package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.ALICE_PASSWORD;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static dev.mcpwarden.authserver.TestAuthServer.APP_A_REDIRECT;
import static dev.mcpwarden.authserver.TestAuthServer.NATIVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8252 §8.6: a remembered consent never issues a code without a page when the answer goes to a loopback port,
 * where any program on the user's computer may be listening.
 */
class LoopbackConsentTest {

    static TestAuthServer server;

    @BeforeAll
    static void start() {
        server = new TestAuthServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRememberedConsentStillShowsTheConsentPageForALoopbackRedirectOnAnyPort() throws Exception {
        UserAgent ua = new UserAgent();
        String first = ua.authorize(server.authorizeUrl(NATIVE, "http://127.0.0.1:50001/callback", Pkce.fresh()),
                "alice", ALICE_PASSWORD);
        assertThat(UserAgent.query(first)).containsKey("code");

        // another program on this computer, naming the same client, listening on another port
        UserAgent.Page again = ua.get(server.authorizeUrl(NATIVE, "http://127.0.0.1:50002/callback", Pkce.fresh()));
        assertThat(again.status()).isEqualTo(302);
        assertThat(again.location()).startsWith(server.issuer + "/consent?request=");
        UserAgent.Page page = ua.get(again.location());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.byId("client-name")).isEqualTo("Native App");
        assertThat(page.body()).contains("id=\"loopback-warning\"");
    }

    @Test
    void promptNoneForALoopbackRedirectAnswersConsentRequiredEvenWithARememberedConsent() throws Exception {
        UserAgent ua = new UserAgent();
        ua.authorize(server.authorizeUrl(NATIVE, "http://127.0.0.1:50003/callback", Pkce.fresh()), "alice",
                ALICE_PASSWORD);

        String redirect = "http://127.0.0.1:50004/callback";
        UserAgent.Page none = ua.get(server.authorizeUrl(NATIVE, redirect, Pkce.fresh(), Map.of("prompt", "none")));
        assertThat(none.status()).isEqualTo(302);
        assertThat(none.location()).startsWith(redirect + "?");
        assertThat(UserAgent.query(none.location())).containsEntry("error", "consent_required")
                .containsEntry("error_description",
                        "the user must approve each request whose answer goes to this computer")
                .containsEntry("state", "st-123").doesNotContainKey("code");
    }

    @Test
    void aRememberedConsentStillSkipsThePageForAnHttpsRedirect() throws Exception {
        UserAgent ua = new UserAgent();
        ua.authorize(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()), "alice", ALICE_PASSWORD);

        UserAgent.Page again = ua.get(server.authorizeUrl(APP_A, APP_A_REDIRECT, Pkce.fresh()));
        assertThat(again.status()).isEqualTo(302);
        assertThat(again.location()).startsWith(APP_A_REDIRECT + "?code=");
    }
}
