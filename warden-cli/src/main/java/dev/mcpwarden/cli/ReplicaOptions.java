package dev.mcpwarden.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The flags by which a command runs as one of several replicas ({@code warden demo}, {@code sample-server},
 * {@code gateway}): fixed names, so that scripts and checks can rely on them. See {@code docs/scaling.md}.
 */
final class ReplicaOptions {

    @Option(names = "--redis", paramLabel = "URL", description = "Share state with the other replicas in this Redis "
            + "(redis://host:port or rediss://...): 2025 sessions and their events, rate limits, replay caches, and "
            + "the embedded authorization server's codes, tokens, consents and failed sign-ins.")
    String redis;

    @Option(names = "--replica-id", paramLabel = "ID", description = "Names this replica: its audit chain is the "
            + "audit file's name with -ID before the extension (audit.jsonl of r2 is audit-r2.jsonl). Default: the "
            + "host name, and the audit file keeps its name.")
    String replicaId;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", converter = GraceConverter.class,
            description = "On SIGTERM: report draining, stop taking requests, hand open streams over, and let calls "
                    + "in flight finish for up to this long (e.g. 20s) before exiting; then flush the audit log. "
                    + "Default: ${DEFAULT-VALUE}")
    Duration shutdownGrace = Duration.ofSeconds(20);

    /**
     * What this replica shares.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    SharedState shared() {
        return SharedState.of(redis, replicaId);
    }
}
