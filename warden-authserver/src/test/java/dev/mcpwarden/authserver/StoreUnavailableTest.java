package dev.mcpwarden.authserver;

import static dev.mcpwarden.authserver.TestAuthServer.APP_A;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.InMemoryAuthStore;
import dev.mcpwarden.authserver.store.StoreUnavailableException;
import dev.mcpwarden.testkit.UserAgent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A store whose service does not answer makes the server answer 503, never as if the state were absent. */
class StoreUnavailableTest {

    @Test
    void whileTheStoreIsUnavailableTheTokenEndpointAnswers503TemporarilyUnavailableAndRecoversAfter()
            throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        InMemoryAuthStore memory = new InMemoryAuthStore();
        AuthStore flaky = (AuthStore) Proxy.newProxyInstance(AuthStore.class.getClassLoader(),
                new Class<?>[] {AuthStore.class}, (proxy, method, args) -> {
                    if (down.get()) {
                        throw new StoreUnavailableException("Redis did not answer (test)", null);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (TestAuthServer server = new TestAuthServer(c -> c, b -> b.store(flaky))) {
            JsonNode tokens = server.tokensForAppA();
            down.set(true);
            UserAgent.Page refresh = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                    "refresh_token", tokens.get("refresh_token").asString()));
            assertThat(refresh.status()).isEqualTo(503);
            assertThat(refresh.header("Retry-After")).isEqualTo("5");
            assertThat(refresh.header("Cache-Control")).isEqualTo("no-store");
            assertThat(TestAuthServer.json(refresh).get("error").asString()).isEqualTo("temporarily_unavailable");

            down.set(false);
            UserAgent.Page again = server.token(Map.of("grant_type", "refresh_token", "client_id", APP_A,
                    "refresh_token", tokens.get("refresh_token").asString()));
            assertThat(again.status()).as("nothing was consumed while the store was down").isEqualTo(200);
        }
    }
}
