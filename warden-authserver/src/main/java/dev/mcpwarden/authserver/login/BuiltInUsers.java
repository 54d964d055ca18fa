package dev.mcpwarden.authserver.login;

import java.util.Map;
import java.util.Optional;

/**
 * The users from the configuration. A wrong password and an unknown user take the same time and give the same
 * answer.
 */
public final class BuiltInUsers {

    /** A configured user: password hash and token claims. */
    public record Account(String passwordHash, Map<String, Object> claims) {
    }

    private final Map<String, Account> accounts;

    public BuiltInUsers(Map<String, Account> accounts) {
        this.accounts = Map.copyOf(accounts);
    }

    public boolean isEmpty() {
        return accounts.isEmpty();
    }

    public Optional<Identity> authenticate(String username, char[] password) {
        Account a = username == null ? null : accounts.get(username);
        if (a == null) {
            PasswordHash.verifyDummy(password);
            return Optional.empty();
        }
        return PasswordHash.verify(password, a.passwordHash())
                ? Optional.of(new Identity(username, a.claims())) : Optional.empty();
    }

    /** The claims of a configured user, for development tokens. */
    public Map<String, Object> claimsOf(String username) {
        Account a = accounts.get(username);
        return a == null ? Map.of() : a.claims();
    }
}
