package dev.mcpwarden.cli;

import dev.mcpwarden.authserver.AuthorizationServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warden token}: a development access token for {@code warden demo}, for scripts and curl. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a development access token that 'warden demo' accepts (signed with the demo's key "
                + "from its state directory), for scripts: curl -H \"Authorization: Bearer $(./warden token)\" ...")
final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", description = "The demo's MCP endpoint. Default: the one the demo last started with "
            + "this state directory wrote there, else http://127.0.0.1:8765/mcp")
    URI url;

    @Option(names = "--scope", split = " ", description = "Scopes, space-separated, e.g. \"tickets:read "
            + "tickets:write\" to create and delete tickets. Default: tickets:read")
    List<String> scopes;

    @Option(names = "--state-dir", description = "The demo's state directory (holds its signing key). Default: "
            + "$WARDEN_HOME/demo or ~/.warden/demo")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        Path dir = stateDir != null ? stateDir : DemoAuth.defaultStateDir();
        if (!Files.exists(dir.resolve(DemoAuth.KEY_FILE))) {
            err.println("warden token: no demo signing key in " + dir + "; start 'warden demo' first");
            return 1;
        }
        URI url = this.url;
        if (url == null) {
            Path endpoint = dir.resolve(DemoAuth.ENDPOINT_FILE);
            url = Files.exists(endpoint) ? URI.create(Files.readString(endpoint).strip())
                    : URI.create("http://127.0.0.1:8765/mcp");
        }
        // Minting a token is not news: the authorization server's start-up notes would only clutter scripts.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.mcpwarden.authserver"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        if (!"http".equals(url.getScheme()) || !"127.0.0.1".equals(url.getHost()) || url.getPort() <= 0
                || !"/mcp".equals(url.getPath())) {
            err.println("warden token: --url must be the demo's endpoint, http://127.0.0.1:PORT/mcp (was " + url + ")");
            return 2;
        }
        Set<String> wanted = scopes == null ? DemoAuth.DEFAULT_SCOPES : new LinkedHashSet<>(scopes);
        // The password does not matter here: no one signs in; the token is minted for the configured user.
        AuthorizationServer as = DemoAuth.authorizationServer(url.getPort(), DemoAuth.hash(DemoAuth.newPassword()),
                dir);
        try {
            spec.commandLine().getOut().println(as.devToken(DemoAuth.USER, "warden-token", wanted, url.toString()));
        } catch (IllegalArgumentException e) {
            err.println("warden token: " + e.getMessage());
            return 2;
        } finally {
            as.close();
        }
        return 0;
    }
}
