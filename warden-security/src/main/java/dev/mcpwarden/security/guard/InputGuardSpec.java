package dev.mcpwarden.security.guard;

import java.util.Objects;

/** A declared check of one tool argument, as configuration: which {@link InputGuard} and its settings. */
public sealed interface InputGuardSpec {

    /** The guard this declaration stands for. */
    InputGuard create();

    /**
     * A relative path that must stay below {@code root} ({@link PathGuard}).
     *
     * @param root the directory paths are kept below (made absolute and normalised)
     */
    record PathUnder(java.nio.file.Path root) implements InputGuardSpec {
        public PathUnder {
            Objects.requireNonNull(root, "root");
            root = root.toAbsolutePath().normalize();
        }

        @Override
        public InputGuard create() {
            return PathGuard.under(root);
        }
    }

    /**
     * A value passed as exactly one argument to a program ({@link ShellArgumentGuard}).
     *
     * @param maxLength the longest value admitted (1 to 4096)
     */
    record ShellArgument(int maxLength) implements InputGuardSpec {
        public ShellArgument {
            if (maxLength < 1 || maxLength > 4096) {
                throw new IllegalArgumentException("maxLength must be between 1 and 4096, was " + maxLength);
            }
        }

        /** The default length limit, 253 (the longest DNS name). */
        public static ShellArgument standard() {
            return new ShellArgument(ShellArgumentGuard.DEFAULT_MAX_LENGTH);
        }

        @Override
        public InputGuard create() {
            return maxLength == ShellArgumentGuard.DEFAULT_MAX_LENGTH ? ShellArgumentGuard.standard()
                    : ShellArgumentGuard.withMaxLength(maxLength);
        }
    }

    /**
     * A URL that must reach only public destinations ({@link UrlGuard}).
     *
     * @param config the schemes, ports, denied hosts and length admitted
     */
    record PublicUrl(UrlGuard.Config config) implements InputGuardSpec {
        public PublicUrl {
            Objects.requireNonNull(config, "config");
        }

        /** The standard guard: http and https, any port, the standard deny list. */
        public static PublicUrl standard() {
            return new PublicUrl(UrlGuard.Config.defaults());
        }

        @Override
        public InputGuard create() {
            return UrlGuard.of(config, HostResolver.system());
        }
    }
}
