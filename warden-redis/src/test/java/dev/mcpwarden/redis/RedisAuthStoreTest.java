package dev.mcpwarden.redis;

import dev.mcpwarden.testkit.RedisServer;

import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.authserver.store.AuthStoreContract;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The AuthStore contract (shared with the in-memory store) against a real Redis: one redis-server for the class,
 * a fresh namespace for each test.
 */
class RedisAuthStoreTest extends AuthStoreContract {

    static RedisServer redis;
    final List<RedisAuthStore> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @Override
    protected AuthStore newStore(InstantSource clock) {
        RedisAuthStore s = RedisAuthStore.builder(redis.url()).clock(clock)
                .namespace("warden:test:" + UUID.randomUUID() + ":").build();
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisAuthStore::close);
    }
}
