package dev.mcpwarden.authserver.login;

import java.util.Map;
import java.util.Optional;

/**
 * The users from the configuration. A wrong password and an unknown user take the same time and give the same
 * answer: an unknown user is checked against a dummy hash of the same cost, inside the same {@link HashingGate}.
 */
public final class BuiltInUsers {

    /** A configured user: password hash and token claims. */
    public record Account(String passwordHash, Map<String, Object> claims) {
    }

    private final Map<String, Account> accounts;
    private final HashingGate gate;
    /** Verified against for unknown names: as costly as the costliest configured hash. */
    private final String dummy;

    /** Users whose checks share {@link HashingGate#forThisMachine()}. */
    public BuiltInUsers(Map<String, Account> accounts) {
        this(accounts, HashingGate.forThisMachine());
    }

    /** Users whose password checks go through {@code gate} (shared with the client-secret checks). */
    public BuiltInUsers(Map<String, Account> accounts, HashingGate gate) {
        this.accounts = Map.copyOf(accounts);
        this.gate = java.util.Objects.requireNonNull(gate, "gate");
        this.dummy = this.accounts.values().stream().map(Account::passwordHash)
                .filter(h -> PasswordHash.cost(h) != null)
                .max(java.util.Comparator.comparingLong(h -> PasswordHash.cost(h)[0] * PasswordHash.cost(h)[1]))
                .map(PasswordHash::dummyLike).orElse(null);
    }

    public boolean isEmpty() {
        return accounts.isEmpty();
    }

    /** The gate every password check must hold a slot of. */
    public HashingGate gate() {
        return gate;
    }

    /**
     * Checks the password at full cost; the caller holds a slot of {@link #gate()} (see {@link SignIns}, which
     * also counts the attempt).
     */
    public Optional<Identity> authenticate(String username, char[] password) {
        Account a = username == null ? null : accounts.get(username);
        if (a == null) {
            if (dummy == null) {
                PasswordHash.verifyDummy(password);
            } else {
                PasswordHash.verify(password, dummy);
            }
            return Optional.empty();
        }
        return PasswordHash.verify(password, a.passwordHash())
                ? Optional.of(new Identity(username, a.claims())) : Optional.empty();
    }

    /** The hash unknown names are verified against (null: the default-cost one), for tests. */
    String dummyHash() {
        return dummy;
    }

    /** The claims of a configured user, for development tokens. */
    public Map<String, Object> claimsOf(String username) {
        Account a = accounts.get(username);
        return a == null ? Map.of() : a.claims();
    }
}
