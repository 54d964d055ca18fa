package dev.mcpwarden.authserver;

import dev.mcpwarden.testkit.Pkce;
import dev.mcpwarden.testkit.UserAgent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mcpwarden.testkit.Ports;
import dev.mcpwarden.testkit.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real browser (Debian's Chromium, driven by playwright-core from {@code src/test/browser/}) signs in, sees the
 * consent page naming the client, and approves or denies. Cookies, the CSP (including {@code form-action} on the
 * redirect after the consent form) and the pages are exercised as a user would. Screenshots go to
 * {@code target/screenshots/}.
 */
@Tag("browser")
class BrowserConsentTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final String CLIENT = "browser-app";
    static TestAuthServer server;
    static Path scripts;
    static int callbackPort;

    @BeforeAll
    static void start() throws Exception {
        // In CI (.ci/run installs Chromium) a missing browser is a failure; on a developer's machine, a skip.
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci) {
            assertThat(CHROMIUM).as("Chromium must be installed in CI (.ci/run installs it)").isExecutable();
        }
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at /usr/bin/chromium "
                + "(apt-get install -y chromium); skipping the browser test");
        scripts = Path.of("src/test/browser").toAbsolutePath();
        if (!Files.isDirectory(scripts.resolve("node_modules/playwright-core"))) {
            Processes.Outcome o = Processes.run(List.of("npm", "ci", "--prefix", scripts.toString(), "--no-audit",
                    "--no-fund"), Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"), Duration.ofMinutes(3));
            assertThat(o.exitCode()).as("npm ci for playwright-core failed: " + o.output()).isZero();
        }
        callbackPort = Ports.free();
        server = new TestAuthServer(c -> c.withClients(java.util.stream.Stream.concat(c.clients().stream(),
                java.util.stream.Stream.of(StaticClient.publicClient(CLIENT, "Browser Test App",
                        List.of("http://127.0.0.1/callback")))).toList()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static List<String> run(Pkce pkce, String user, String password, String decision) throws Exception {
        String redirect = "http://127.0.0.1:" + callbackPort + "/callback";
        String url = server.authorizeUrl(CLIENT, redirect, pkce);
        Processes.Outcome o = Processes.run(List.of(Processes.node().toString(),
                scripts.resolve("browser-flow.mjs").toString(), url, user, password, decision,
                "http://127.0.0.1:" + callbackPort, Path.of("target/screenshots").toAbsolutePath().toString(),
                decision), Map.of(), Duration.ofMinutes(2));
        System.out.println(o.output());
        assertThat(o.exitCode()).as(o.output()).isZero();
        return o.output().lines().toList();
    }

    @Test
    void aUserSignsInSeesTheClientOnTheConsentPageApprovesAndTheCodeBuysAToken() throws Exception {
        Pkce pkce = Pkce.fresh();
        List<String> lines = run(pkce, "alice", TestAuthServer.ALICE_PASSWORD, "approve");

        assertThat(lines).contains("[browser] login page: title=\"Sign in\" client=\"Browser Test App\"")
                .contains("[browser] consent page: title=\"Allow access?\" client=\"Browser Test App\""
                        + " redirect-host=\"127.0.0.1\" subject=\"alice\"")
                .noneMatch(l -> l.startsWith("[browser] csp violations"))
                .last().isEqualTo("OK");
        String returned = lines.stream().filter(l -> l.startsWith("[browser] returned: ")).findFirst().orElseThrow()
                .substring("[browser] returned: ".length());
        Map<String, String> q = UserAgent.query(returned);
        assertThat(q).containsEntry("state", "st-123").containsEntry("iss", server.issuer);
        UserAgent.Page token = server.redeem(CLIENT, "http://127.0.0.1:" + callbackPort + "/callback", q.get("code"),
                pkce);
        assertThat(token.status()).as(token.body()).isEqualTo(200);
        assertThat(Path.of("target/screenshots/approve-login.png")).isNotEmptyFile();
        assertThat(Path.of("target/screenshots/approve-consent.png")).isNotEmptyFile();
    }

    @Test
    void denyingConsentInTheBrowserEndsWithAccessDenied() throws Exception {
        List<String> lines = run(Pkce.fresh(), "bob", TestAuthServer.BOB_PASSWORD, "deny");

        String returned = lines.stream().filter(l -> l.startsWith("[browser] returned: ")).findFirst().orElseThrow()
                .substring("[browser] returned: ".length());
        assertThat(UserAgent.query(returned)).containsEntry("error", "access_denied")
                .containsEntry("error_description", "the user denied the request")
                .containsEntry("state", "st-123").containsEntry("iss", server.issuer).doesNotContainKey("code");
        assertThat(lines).last().isEqualTo("OK");
    }
}
