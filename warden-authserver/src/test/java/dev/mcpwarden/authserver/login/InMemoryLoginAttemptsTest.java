package dev.mcpwarden.authserver.login;

/** The contract, in this process's memory. */
class InMemoryLoginAttemptsTest extends LoginAttemptsContract {

    @Override
    protected LoginAttempts newAttempts() {
        return LoginAttempts.inMemory();
    }
}
