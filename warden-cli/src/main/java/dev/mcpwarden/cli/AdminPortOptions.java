package dev.mcpwarden.cli;

import picocli.CommandLine.Option;

/**
 * The admin port's flags ({@code warden demo}, {@code sample-server}, {@code gateway}): fixed names, so that scripts
 * and checks can rely on them. See {@code docs/observability.md}.
 */
final class AdminPortOptions {

    @Option(names = "--admin-port", paramLabel = "PORT", description = "Serve /metrics (Prometheus), /healthz and "
            + "/readyz on this port (0: any free one), apart from the MCP port; on 127.0.0.1 unless --admin-host "
            + "says otherwise. Turns metrics on.")
    Integer adminPort;

    @Option(names = "--admin-host", paramLabel = "HOST", description = "The address the admin port binds. Default: "
            + "${DEFAULT-VALUE} (only this machine); another address is logged as a warning.")
    String adminHost = "127.0.0.1";
}
