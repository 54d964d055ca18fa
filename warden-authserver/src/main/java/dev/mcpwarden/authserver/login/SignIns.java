package dev.mcpwarden.authserver.login;

import dev.mcpwarden.authserver.login.LoginAttempts.Budget;
import dev.mcpwarden.authserver.login.LoginAttempts.Outcome;
import java.time.Instant;
import java.util.Optional;

/**
 * One password sign-in, bounded before any hashing: the remote address's failure budget first (cheap, counted
 * outside the gate), then a slot of the {@link HashingGate}, then the user name's and the pending request's
 * budgets, and only then the password check, which costs the same for unknown names. A refusal for being busy
 * takes back the address's attempt: it checked nothing.
 */
public final class SignIns {

    /** What became of a sign-in. */
    public sealed interface Result {
    }

    /** The password was right. */
    public record SignedIn(Identity identity) implements Result {
    }

    /**
     * Wrong name or password.
     *
     * @param requestClosed whether that was the pending request's last allowed failure (the caller ends it)
     */
    public record Wrong(boolean requestClosed) implements Result {
    }

    /** A budget is used up: nothing was checked, try again after {@code retryAfter}. */
    public record Blocked(Budget budget, Outcome outcome) implements Result {
    }

    /** Every hashing slot is taken: nothing was checked, try again in a second. */
    public record Busy() implements Result {
    }

    private final BuiltInUsers users;
    private final LoginAttempts attempts;

    public SignIns(BuiltInUsers users, LoginAttempts attempts) {
        this.users = users;
        this.attempts = attempts;
    }

    /**
     * Signs in {@code username} from {@code address} for the pending request {@code pendingId}. A budget kept in
     * another service that does not answer throws {@link dev.mcpwarden.authserver.store.StoreUnavailableException}.
     */
    public Result signIn(String address, String pendingId, String username, char[] password, Instant now) {
        Outcome fromAddress = attempts.attempt(Budget.ADDRESS, address, now);
        if (!fromAddress.allowed()) {
            return new Blocked(Budget.ADDRESS, fromAddress);
        }
        String site = LoginAttempts.site(address);
        if (!site.isEmpty()) {
            Outcome fromSite = attempts.attempt(Budget.SITE, site, now);
            if (!fromSite.allowed()) {
                attempts.succeeded(Budget.ADDRESS, address); // nothing was checked
                return new Blocked(Budget.SITE, fromSite);
            }
        }
        boolean checked = false;
        try (HashingGate.Permit ignored = users.gate().enter()) {
            Outcome asUser = attempts.attempt(Budget.USER, username, now);
            if (!asUser.allowed()) {
                return new Blocked(Budget.USER, asUser);
            }
            Outcome forRequest = attempts.attempt(Budget.PENDING, pendingId, now);
            if (!forRequest.allowed()) {
                return new Blocked(Budget.PENDING, forRequest);
            }
            checked = true;
            Optional<Identity> who = users.gate().hash(() -> users.authenticate(username, password));
            if (who.isEmpty()) {
                return new Wrong(forRequest.failures() >= Budget.PENDING.freeFailures());
            }
            attempts.succeeded(Budget.USER, username);
            attempts.succeeded(Budget.PENDING, pendingId);
            attempts.succeeded(Budget.ADDRESS, address);
            succeededFromSite(site);
            return new SignedIn(who.get());
        } catch (HashingGate.Busy e) {
            return new Busy();
        } finally {
            if (!checked) {
                attempts.succeeded(Budget.ADDRESS, address); // nothing was checked: not a failure of this address
                succeededFromSite(site);
            }
        }
    }

    private void succeededFromSite(String site) {
        if (!site.isEmpty()) {
            attempts.succeeded(Budget.SITE, site);
        }
    }

    /** How long a refused sign-in should wait, in whole seconds. */
    public static long retryAfterSeconds(Result r) {
        return r instanceof Blocked b ? b.outcome().retryAfterSeconds() : 1;
    }
}
