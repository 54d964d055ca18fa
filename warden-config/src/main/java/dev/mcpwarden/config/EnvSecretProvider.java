package dev.mcpwarden.config;

import dev.mcpwarden.security.Secret;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code env:NAME}: the value of an environment variable. It works, and is reported as a warning every time, because
 * environment variables are inherited by every child process, shown by {@code ps e} and {@code /proc/PID/environ}
 * to the same user, and written into crash dumps; prefer {@code file:}.
 */
public final class EnvSecretProvider implements SecretProvider {

    private final Function<String, String> env;

    /** Reads the process environment (the form {@link java.util.ServiceLoader} uses). */
    public EnvSecretProvider() {
        this(System::getenv);
    }

    /** Reads the given variables instead of the process environment (tests). */
    EnvSecretProvider(Map<String, String> variables) {
        this(variables::get);
    }

    private EnvSecretProvider(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String scheme() {
        return "env";
    }

    @Override
    public Secret resolve(String name, Context context) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("env: needs a variable name like API_KEY");
        }
        String value = env.apply(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
        context.warn("secret from environment variable " + name + ": environment variables leak to child"
                + " processes and crash dumps; prefer file:");
        return Secret.of(value, "env:" + name);
    }
}
