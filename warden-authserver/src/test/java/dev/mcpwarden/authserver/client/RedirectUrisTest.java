package dev.mcpwarden.authserver.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which redirect URIs another program on the user's computer could receive (RFC 8252 §8.6). */
class RedirectUrisTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "http://127.0.0.1/cb", "http://127.0.0.1:49152/cb", "http://[::1]:8080/cb", "http://localhost:3000/cb",
        "http://app.example/cb", "https://127.0.0.1/cb", "https://127.1.2.3:444/cb", "https://[::1]/cb",
        "https://[0:0:0:0:0:0:0:1]/cb", "https://[::ffff:127.0.0.1]/cb", "https://localhost/cb",
        "https://LOCALHOST./cb", "https://app.localhost/cb", "https://2130706433/cb", "https://0x7f000001/cb",
        "https://0177.0.0.1/cb", "https://0.0.0.0/cb", "https://10.0.0.8/cb", "https://a.b.0x7f/cb",
        "HTTP://127.0.0.1/cb", "not a uri", "https:///cb"})
    void aRedirectALocalProgramCouldReceiveIsReachableByLocalPrograms(String uri) {
        assertThat(RedirectUris.reachableByLocalPrograms(uri)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example/cb", "https://APP.example./cb", "https://a1.example:8443/cb?x=1",
        "https://localhost.example.com/cb", "https://127-0-0-1.example/cb"})
    void anHttpsRedirectOnADnsNameIsNot(String uri) {
        assertThat(RedirectUris.reachableByLocalPrograms(uri)).isFalse();
    }
}
