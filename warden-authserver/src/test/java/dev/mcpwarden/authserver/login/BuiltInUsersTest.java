package dev.mcpwarden.authserver.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unknown names cost what known ones cost, so timing tells no user names apart. */
class BuiltInUsersTest {

    @Test
    void anUnknownNameIsVerifiedAgainstAHashOfTheCostliestConfiguredCost() {
        String cheap = PasswordHash.hash("a".toCharArray(), 1024, 1, 1);
        String dearer = PasswordHash.hash("b".toCharArray(), 2048, 3, 1);
        BuiltInUsers users = new BuiltInUsers(Map.of("ann", new BuiltInUsers.Account(cheap, Map.of()),
                "ben", new BuiltInUsers.Account(dearer, Map.of())), new HashingGate(1, java.time.Duration.ZERO));

        assertThat(users.dummyHash()).startsWith("$argon2id$v=19$m=2048,t=3,p=1$");
        assertThat(users.authenticate("nobody", "b".toCharArray())).isEmpty();
        assertThat(users.authenticate("ben", "b".toCharArray())).isPresent();
    }

    @Test
    void withoutConfiguredHashesTheDefaultCostIsSpent() {
        assertThat(new BuiltInUsers(Map.of()).dummyHash()).isNull();
    }
}
