package dev.mcpwarden.config;

import dev.mcpwarden.security.Secret;
import java.nio.file.Path;

/**
 * Resolves secret references of one scheme, such as {@code file:/run/secrets/key} or {@code env:API_KEY}: a
 * configuration file never holds a secret's value, only where to get it. Providers are found with
 * {@link java.util.ServiceLoader} (list the class in {@code META-INF/services/dev.mcpwarden.config.SecretProvider}), so
 * a vault plugs in without changes here; the built-in ones are {@code file} and {@code env}.
 */
public interface SecretProvider {

    /** The scheme this provider resolves, lower case, e.g. {@code file}. */
    String scheme();

    /**
     * The secret that {@code name} (the reference without {@code scheme:}) points to. Throws
     * {@link IllegalArgumentException} with a message that names the reference but never a value when it cannot be
     * resolved.
     */
    Secret resolve(String name, Context context);

    /** What a provider may use while the configuration loads. */
    interface Context {
        /** The directory relative references are resolved against: the configuration file's own. */
        Path baseDirectory();

        /** Reports a weakness of the reference (logged as a warning and shown by {@code warden config check}). */
        void warn(String message);
    }
}
