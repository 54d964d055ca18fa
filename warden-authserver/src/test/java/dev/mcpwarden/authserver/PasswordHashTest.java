package dev.mcpwarden.authserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpwarden.authserver.login.PasswordHash;
import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void theDefaultHashIsAnArgon2idPhcStringAtTheOwaspCost() {
        String h = PasswordHash.hash("s3cret".toCharArray());
        assertThat(h).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(PasswordHash.verify("s3cret".toCharArray(), h)).isTrue();
        assertThat(PasswordHash.verify("s3cret ".toCharArray(), h)).isFalse();
    }

    @Test
    void twoHashesOfTheSamePasswordDifferBySalt() {
        assertThat(PasswordHash.hash("x".toCharArray(), 1024, 1, 1))
                .isNotEqualTo(PasswordHash.hash("x".toCharArray(), 1024, 1, 1));
    }

    @Test
    void aKnownRfc9106StyleHashFromAnotherImplementationVerifies() {
        // made with the reference argon2 CLI: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertThat(PasswordHash.verify("password".toCharArray(), reference)).isTrue();
        assertThat(PasswordHash.verify("Password".toCharArray(), reference)).isFalse();
    }

    @Test
    void malformedOrAbsurdHashesNeverMatch() {
        assertThat(PasswordHash.verify("x".toCharArray(), null)).isFalse();
        assertThat(PasswordHash.verify("x".toCharArray(), "$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$abc")).isFalse();
        assertThat(PasswordHash.verify("x".toCharArray(),
                "$argon2id$v=19$m=9999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
    }
}
