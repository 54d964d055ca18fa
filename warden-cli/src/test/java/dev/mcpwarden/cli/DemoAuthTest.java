package dev.mcpwarden.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** What replicas of one demo share through its state directory. */
class DemoAuthTest {

    @TempDir
    Path stateDir;

    @RepeatedTest(5)
    void replicasStartingAtOnceAllSignWithTheOneKeyTheFirstWroteAndShareOnePassword() throws Exception {
        int replicas = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> keys = new ArrayList<>();
        List<Future<String>> passwords = new ArrayList<>();
        try (var threads = Executors.newFixedThreadPool(2 * replicas)) {
            for (int i = 0; i < replicas; i++) {
                keys.add(threads.submit(() -> {
                    go.await();
                    return DemoAuth.signingKey(stateDir).toJSONString();
                }));
                passwords.add(threads.submit(() -> {
                    go.await();
                    return DemoAuth.sharedPassword(stateDir);
                }));
            }
            go.countDown();
            List<String> k = new ArrayList<>();
            List<String> p = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                k.add(keys.get(i).get());
                p.add(passwords.get(i).get());
            }
            assertThat(k).containsOnly(k.getFirst());
            assertThat(p).containsOnly(p.getFirst());
        }
        assertThat(Files.readString(stateDir.resolve(DemoAuth.KEY_FILE))).isEqualTo(
                DemoAuth.signingKey(stateDir).toJSONString());
        assertThat(Files.getPosixFilePermissions(stateDir.resolve(DemoAuth.KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var leftovers = Files.list(stateDir)) {
            assertThat(leftovers.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(DemoAuth.KEY_FILE, DemoAuth.PASSWORD_FILE);
        }
        String secret = DemoAuth.sharedIntrospectionSecret(stateDir);
        assertThat(secret).hasSizeGreaterThanOrEqualTo(32).isEqualTo(DemoAuth.sharedIntrospectionSecret(stateDir));
        assertThat(Files.getPosixFilePermissions(stateDir.resolve(DemoAuth.INTROSPECTION_SECRET_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
}
