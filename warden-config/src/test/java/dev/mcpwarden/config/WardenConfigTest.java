package dev.mcpwarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.security.Secret;
import dev.mcpwarden.security.audit.AuditLogOptions;
import dev.mcpwarden.security.audit.FsyncPolicy;
import dev.mcpwarden.security.guard.DetectorSpec;
import dev.mcpwarden.security.guard.InputGuardSpec;
import dev.mcpwarden.security.guard.PromptShieldsDetector;
import dev.mcpwarden.security.guard.RedactorKind;
import dev.mcpwarden.security.ratelimit.LimiterConfig;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.http.HttpOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WardenConfigTest {

    @TempDir
    Path dir;

    /** The smallest valid file: everything else has a default. */
    static final String MINIMAL = """
            server:
              name: acme
              version: 1.0.0
            security:
              authentication:
                resource: https://mcp.example.com/mcp
                issuers:
                  - issuer: https://login.example.com
            """;

    private WardenConfig.Result check(String text) {
        return check(text, Map.of());
    }

    private WardenConfig.Result check(String text, Map<String, String> env) {
        Map<String, SecretProvider> providers = new LinkedHashMap<>();
        providers.put("file", new FileSecretProvider());
        providers.put("env", new EnvSecretProvider(env));
        return WardenConfig.check(text, "warden.yaml", dir, providers);
    }

    private List<String> problems(String text) {
        return check(text).problems().stream().map(ConfigProblem::toString).toList();
    }

    private static String withSecurity(String extra) {
        return MINIMAL + extra.indent(2);
    }

    @Test
    void minimalFileGetsTheDefaultsOfTheJavaApi() {
        WardenConfig c = check(MINIMAL).orElseThrow();

        assertThat(c.server()).isEqualTo(ServerConfig.of("acme", "1.0.0"));
        assertThat(c.http()).isEqualTo(HttpOptions.loopback(8080));
        var rs = c.security().authentication().resourceServer();
        assertThat(rs.resource()).isEqualTo(URI.create("https://mcp.example.com/mcp"));
        assertThat(rs.algorithms()).isEqualTo(dev.mcpwarden.security.oauth.ResourceServerConfig.DEFAULT_ALGORITHMS);
        assertThat(rs.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(rs.tokenCacheSize()).isEqualTo(10_000);
        assertThat(rs.issuers().getFirst().issuer()).isEqualTo("https://login.example.com");
        assertThat(rs.issuers().getFirst().jwksUri()).isNull();
        assertThat(c.security().authentication().dpop()).isEmpty();
        assertThat(c.security().policy()).isEmpty();
        assertThat(c.security().rateLimits().isEmpty()).isTrue();
        assertThat(c.security().rateLimits().limiter()).isEqualTo(new LimiterConfig.Local(100_000));
        assertThat(c.security().rateLimits().whenUnavailable())
                .isEqualTo(RateLimitStage.WhenUnavailable.FAIL_CLOSED);
        assertThat(c.security().outputGuards().redactor()).isEqualTo(RedactorKind.SECRETS_AND_PII);
        assertThat(c.security().outputGuards().detector()).isEqualTo(new DetectorSpec.Heuristic());
        assertThat(c.security().integrity()).isEmpty();
        assertThat(c.security().audit().file()).isEmpty();
        assertThat(c.security().audit().options()).isEqualTo(AuditLogOptions.defaults());
    }

    @Test
    void unknownKeyIsReportedWithLineAndColumnAndTheKeysExpected() {
        assertThat(problems(MINIMAL + "  rate-limts: {}\n")).containsExactly("warden.yaml:9:3: unknown key"
                + " 'rate-limts' under 'security'; expected one of: authentication, scopes, policy, rate-limits,"
                + " input-guards, output-guards, integrity, audit");
    }

    @Test
    void unknownTopLevelKeyIsReported() {
        assertThat(problems("telemetri: {}\n" + MINIMAL)).containsExactly("warden.yaml:1:1: unknown key"
                + " 'telemetri' at the top level; expected one of: server, http, security, gateway, store,"
                + " telemetry");
    }

    @Test
    void wrongTypeIsReportedWithTheValueAndTheExpectedShape() {
        assertThat(problems(MINIMAL + "http:\n  port: eighty\n")).containsExactly(
                "warden.yaml:10:9: 'http.port' must be an integer (0-65535), was \"eighty\"");
    }

    @Test
    void outOfRangeIntegerIsReportedWithTheValue() {
        assertThat(problems(MINIMAL + "http:\n  port: 70000\n")).containsExactly(
                "warden.yaml:10:9: 'http.port' must be an integer (0-65535), was 70000");
    }

    @Test
    void quotedNumberIsAStringAndRefused() {
        assertThat(problems(MINIMAL + "http:\n  port: \"8080\"\n")).containsExactly(
                "warden.yaml:10:9: 'http.port' must be an integer (0-65535), was \"8080\"");
    }

    @Test
    void missingRequiredKeyIsReportedAtTheMappingThatLacksIt() {
        String text = """
                server:
                  name: acme
                  version: 1.0.0
                security:
                  authentication:
                    issuers:
                      - issuer: https://login.example.com
                """;
        assertThat(problems(text)).containsExactly(
                "warden.yaml:6:5: missing required key 'resource' under 'security.authentication'");
    }

    @Test
    void everyProblemOfAFileIsReportedNotJustTheFirst() {
        String text = """
                server:
                  name: acme
                  versoin: 1.0.0
                http:
                  port: eighty
                security:
                  authentication:
                    resource: https://mcp.example.com/mcp
                    issuers:
                      - issuer: https://login.example.com
                """;
        assertThat(problems(text)).containsExactly(
                "warden.yaml:2:3: missing required key 'version' under 'server'",
                "warden.yaml:3:3: unknown key 'versoin' under 'server'; expected one of: name, version, title,"
                        + " instructions",
                "warden.yaml:5:9: 'http.port' must be an integer (0-65535), was \"eighty\"");
    }

    @Test
    void aRecordsOwnRefusalIsReportedAtItsSectionWhileSiblingsAreStillChecked() {
        String text = """
                server:
                  name: acme
                  version: 1.0.0
                security:
                  authentication:
                    resource: http://mcp.example.com/mcp
                    issuers:
                      - issuer: https://login.example.com
                  rate-limits:
                    rules:
                      - {name: a, capacity: 1, period: 1s}
                      - {name: a, capacity: 2, period: 1s}
                """;
        assertThat(problems(text)).containsExactly(
                "warden.yaml:6:5: invalid 'security.authentication': resource must be https (or http on loopback),"
                        + " was: http://mcp.example.com/mcp",
                "warden.yaml:10:5: invalid 'security.rate-limits': rate limit names must be unique, 'a' repeats");
    }

    @Test
    void durationsAreWrittenShortOrInIso8601() {
        WardenConfig c = check(MINIMAL + "http:\n  session-idle: 2h\n  sse-retry: 500ms\n  keep-alive: PT20S\n")
                .orElseThrow();

        assertThat(c.http().sessionIdle()).isEqualTo(Duration.ofHours(2));
        assertThat(c.http().sseRetry()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.http().keepAlive()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aYamlNumberWhereTextBelongsSaysHowToQuoteIt() {
        assertThat(problems(MINIMAL.replace("version: 1.0.0", "version: 1.0"))).containsExactly("warden.yaml:3:12:"
                + " 'server.version' must be a non-empty string, was 1.0 (a YAML number; quote it: \"1.0\")");
    }

    @Test
    void aNumberIsNotADuration() {
        assertThat(problems(MINIMAL + "http:\n  keep-alive: 30\n")).containsExactly("warden.yaml:10:15:"
                + " 'http.keep-alive' must be a duration (e.g. 30s, 5m, 1h or ISO-8601 PT30S) from 1ms to 1d, was 30");
    }

    @Test
    void duplicateKeyIsRefusedNamingTheFirst() {
        assertThat(problems(MINIMAL + "http:\n  port: 1\n  port: 2\n")).containsExactly(
                "warden.yaml:11:3: duplicate key 'port' (first at line 10)");
    }

    @Test
    void brokenYamlIsOneProblemWithItsLocation() {
        assertThat(problems("server:\n  name: [acme\n")).singleElement().asString()
                .startsWith("warden.yaml:2:14: not valid YAML: while parsing a flow sequence");
    }

    @Test
    void emptyFileIsAProblem() {
        assertThat(problems("")).containsExactly(
                "warden.yaml:1:1: the file is empty; expected a mapping with keys server, http, security");
    }

    @Test
    void guardKindsBindToTheirRecords() {
        WardenConfig c = check(withSecurity("""
                input-guards:
                  read_file:
                    path: {kind: path, root: files}
                  ping:
                    host: {kind: shell, max-length: 64}
                  fetch:
                    url: {kind: url, schemes: [https], ports: [443], extra-denied-hosts: [.corp.example]}
                """)).orElseThrow();

        var guards = c.security().inputGuards().guards();
        assertThat(guards.get("read_file").get("path")).isEqualTo(new InputGuardSpec.PathUnder(dir.resolve("files")));
        assertThat(guards.get("ping").get("host")).isEqualTo(new InputGuardSpec.ShellArgument(64));
        var url = (InputGuardSpec.PublicUrl) guards.get("fetch").get("url");
        assertThat(url.config().schemes()).containsExactly("https");
        assertThat(url.config().ports()).containsExactly(443);
        assertThat(url.config().deniedHosts()).contains(".corp.example", "metadata.google.internal");
    }

    @Test
    void unknownGuardKindNamesTheKinds() {
        assertThat(problems(withSecurity("input-guards:\n  t:\n    a: {kind: sql}\n"))).containsExactly(
                "warden.yaml:11:17: 'security.input-guards.t.a.kind' must be one of: path, shell, url, was \"sql\"");
    }

    @Test
    void guardWithoutKindIsMissingAKey() {
        assertThat(problems(withSecurity("input-guards:\n  t:\n    a: {root: x}\n"))).containsExactly(
                "warden.yaml:11:10: missing required key 'kind' under 'security.input-guards.t.a'; expected one of:"
                        + " path, shell, url");
    }

    @Test
    void literalSecretIsRefusedWithoutShowingIt() {
        List<String> p = problems(withSecurity("""
                output-guards:
                  detector:
                    kind: prompt-shields
                    endpoint: https://shields.example.com
                    key: hunter2-very-secret
                """));
        assertThat(p).containsExactly("warden.yaml:13:12: 'security.output-guards.detector.key' must be a secret"
                + " reference (file:... or env:...), not a literal");
        assertThat(String.join("\n", p)).doesNotContain("hunter2");
    }

    @Test
    void fileSecretIsReadLessOneTrailingNewline() throws IOException {
        Path key = Files.writeString(dir.resolve("shields.key"), "k3y\n\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

        WardenConfig.Result r = check(withSecurity("""
                output-guards:
                  detector: {kind: prompt-shields, endpoint: https://shields.example.com, key: file:shields.key}
                """));

        var shields = (DetectorSpec.PromptShields) r.orElseThrow().security().outputGuards().detector();
        assertThat(shields.config().apiKey()).isEqualTo("k3y\n");
        assertThat(shields.config()).isEqualTo(PromptShieldsDetector.Config.of(
                URI.create("https://shields.example.com"), "k3y\n"));
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void theDpopNonceSecretIsASecretReferenceOfAtLeast32Bytes() throws IOException {
        String dpop = """
                authentication:
                  resource: https://mcp.example.com/mcp
                  issuers: [{issuer: https://login.example.com}]
                  dpop: {mode: required, require-nonce: true, nonce-secret: file:nonce.key}
                """;
        String text = withSecurity(dpop).replace(MINIMAL.substring(MINIMAL.indexOf("  authentication")), "");
        Path key = Files.writeString(dir.resolve("nonce.key"), "n".repeat(32));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

        var d = check(text).orElseThrow().security().authentication().dpop().orElseThrow();
        assertThat(d.requireNonce()).isTrue();
        assertThat(d.nonceSecret().orElseThrow().reveal()).isEqualTo("n".repeat(32));

        Files.writeString(key, "too short");
        assertThat(problems(text)).containsExactly("warden.yaml:8:11: invalid 'security.authentication.dpop': the"
                + " DPoP nonce secret from file:nonce.key must be at least 32 bytes");
    }

    @Test
    void worldReadableSecretFileWorksWithAWarning() throws IOException {
        Path key = Files.writeString(dir.resolve("redis.pw"), "pw");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        WardenConfig.Result r = check(withSecurity("""
                rate-limits:
                  limiter: {kind: redis, url: "redis://cache:6379", password: file:redis.pw}
                """));

        var redis = (LimiterConfig.Redis) r.orElseThrow().security().rateLimits().limiter();
        assertThat(redis.password().orElseThrow().reveal()).isEqualTo("pw");
        assertThat(r.warnings()).containsExactly("warden.yaml:10:65: warning: 'security.rate-limits.limiter.password':"
                + " secret file " + key + " is readable by its group or by others (chmod 600 it, or 400)");
    }

    @Test
    void spotlightingIsConfiguredPerToolAndPerFieldAndInheritsTheDefaults() {
        WardenConfig.Result r = check(withSecurity("""
                output-guards:
                  untrusted-prompts: [review]
                  untrusted-resources: ["notes://{id}"]
                  spotlighting:
                    text: datamark
                    tools:
                      search: {structured: encode, fields: {/tickets/*/id: verbatim, title: datamark}}
                """));

        var out = r.orElseThrow().security().outputGuards();
        assertThat(out.spotlighting()).isEqualTo(new dev.mcpwarden.security.guard.SpotlightConfig(
                dev.mcpwarden.security.guard.Spotlighter.Mode.DATAMARK, dev.mcpwarden.security.guard.Marking.DATAMARK,
                Map.of()));
        assertThat(out.toolSpotlighting()).isEqualTo(Map.of("search", new dev.mcpwarden.security.guard.SpotlightConfig(
                dev.mcpwarden.security.guard.Spotlighter.Mode.DATAMARK, dev.mcpwarden.security.guard.Marking.ENCODE,
                Map.of("/tickets/*/id", dev.mcpwarden.security.guard.Marking.VERBATIM,
                        "title", dev.mcpwarden.security.guard.Marking.DATAMARK))));
        assertThat(out.untrustedPrompts()).containsExactly("review");
        assertThat(out.untrustedResources()).containsExactly("notes://{id}");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void aFieldThatIsNeitherAPointerNorAMemberNameIsAProblem() {
        assertThat(problems(withSecurity("""
                output-guards:
                  spotlighting: {fields: {"a/b": datamark}}
                """))).singleElement().asString().endsWith("'security.output-guards.spotlighting': spotlighting:"
                + " field a/b is neither a JSON Pointer (starting with /) nor a member name");
    }

    @Test
    void personalDataIsRedactedByDefaultAndEveryOptOutIsWarnedAbout() {
        WardenConfig.Result r = check(withSecurity("""
                output-guards:
                  redactors: {export: secrets, raw: none}
                """));

        var out = r.orElseThrow().security().outputGuards();
        assertThat(out.redactor()).isEqualTo(RedactorKind.SECRETS_AND_PII);
        assertThat(r.warnings()).containsExactly(
                "warden.yaml:10:16: warning: 'security.output-guards.redactors.export': secrets lets personal data in"
                        + " this tool's output reach every caller",
                "warden.yaml:10:16: warning: 'security.output-guards.redactors.raw': none turns off redaction of"
                        + " secrets and personal data in this tool's output");
    }

    @Test
    void missingSecretFileIsAProblem() {
        assertThat(problems(withSecurity("rate-limits:\n  limiter: {kind: redis, url: \"redis://cache\","
                + " password: file:nope}\n"))).containsExactly("warden.yaml:10:60: 'security.rate-limits.limiter"
                + ".password': secret file " + dir.resolve("nope") + " does not exist");
    }

    @Test
    void environmentSecretWorksWithAWarningAboutLeaks() {
        WardenConfig.Result r = check(withSecurity("""
                authentication:
                  resource: https://mcp.example.com/mcp
                  issuers: [{issuer: https://login.example.com}]
                  introspection:
                    endpoint: https://login.example.com/introspect
                    issuer: https://login.example.com
                    client-id: mcp
                    client-secret: env:MCP_CLIENT_SECRET
                """).replace(MINIMAL.substring(MINIMAL.indexOf("  authentication")), "")
                + "", Map.of("MCP_CLIENT_SECRET", "s3cret"));

        var in = r.orElseThrow().security().authentication().introspection().orElseThrow();
        assertThat(in.clientSecret()).isEqualTo("s3cret");
        assertThat(in.when()).as("revocation reaches the server by default")
                .isEqualTo(dev.mcpwarden.security.oauth.Introspection.When.ALWAYS);
        assertThat(r.warnings()).singleElement().asString().endsWith("'security.authentication.introspection"
                + ".client-secret': secret from environment variable MCP_CLIENT_SECRET: environment variables leak"
                + " to child processes and crash dumps; prefer file:");
    }

    @Test
    void introspectingAlwaysForAnIssuerNoneOfTheTrustedOnesIsAProblemNotASilentGap() throws IOException {
        Files.writeString(dir.resolve("client.secret"), "client-s3cret");
        List<String> p = problems("""
                server: {name: acme, version: 1.0.0}
                security:
                  authentication:
                    resource: https://mcp.example.com/mcp
                    issuers: [{issuer: https://login.example.com}]
                    introspection:
                      endpoint: https://login.example.com/introspect
                      issuer: https://login.example.com/
                      client-id: mcp
                      client-secret: file:client.secret
                """);
        assertThat(p).singleElement().asString().endsWith("introspection issuer https://login.example.com/ is none of"
                + " the trusted issuers [https://login.example.com] (compared exactly): with introspect: always no JWT"
                + " would be introspected and a revoked JWT would be accepted until it expires; name a trusted issuer"
                + " exactly, or say introspect: opaque");
    }

    @Test
    void unsetEnvironmentVariableAndUnknownSchemeAreProblems() {
        assertThat(problems(withSecurity("audit: {key: env:AUDIT_KEY}\n"))).containsExactly(
                "warden.yaml:9:16: 'security.audit.key': environment variable AUDIT_KEY is not set");
        assertThat(problems(withSecurity("audit: {key: \"vault:kv/audit\"}\n"))).containsExactly(
                "warden.yaml:9:16: 'security.audit.key': no secret provider for scheme 'vault' (known: file, env)");
    }

    @Test
    void noResolvedSecretAppearsWhenTheWholeConfigurationIsPrinted() throws IOException {
        Files.writeString(dir.resolve("client.secret"), "client-s3cret");
        Files.writeString(dir.resolve("shields.key"), "shields-s3cret");
        Files.writeString(dir.resolve("redis.pw"), "redis-s3cret");
        Files.writeString(dir.resolve("audit.key"), java.util.Base64.getEncoder().encodeToString(new byte[32]));

        WardenConfig c = check("""
                server: {name: acme, version: 1.0.0}
                security:
                  authentication:
                    resource: https://mcp.example.com/mcp
                    issuers: [{issuer: https://login.example.com}]
                    introspection:
                      endpoint: https://login.example.com/introspect
                      issuer: https://login.example.com
                      client-id: mcp
                      client-secret: file:client.secret
                  rate-limits:
                    limiter: {kind: redis, url: "redis://cache:6379", password: file:redis.pw}
                  output-guards:
                    detector: {kind: prompt-shields, endpoint: https://s.example.com, key: file:shields.key}
                  audit: {key: file:audit.key}
                """).orElseThrow();

        assertThat(c.security().audit().options().key()).isPresent();
        assertThat(c.toString()).contains("clientId=mcp", "Secret[file:redis.pw]")
                .doesNotContain("client-s3cret", "shields-s3cret", "redis-s3cret", "AAAAAAAAAAAA");
    }

    @Test
    void secretNeverPrintsItsValue() {
        Secret s = Secret.of("hunter2", "file:/run/secrets/x");

        assertThat(s.toString()).isEqualTo("Secret[file:/run/secrets/x]").doesNotContain("hunter2");
        assertThat(new LimiterConfig.Redis(URI.create("redis://cache:6379"), Optional.of(s)).toString())
                .doesNotContain("hunter2");
    }

    @Test
    void redisUrlWithCredentialsIsRefused() {
        assertThat(problems(withSecurity("rate-limits:\n  limiter: {kind: redis, url: \"redis://:pw@cache:6379\"}\n")))
                .containsExactly("warden.yaml:10:14: invalid 'security.rate-limits.limiter': redis url must not"
                        + " carry credentials; give the password as a secret reference instead (redis://cache)");
    }

    @Test
    void fsyncIsWrittenAsWords() {
        assertThat(Binder.fsync("every-record")).isEqualTo(FsyncPolicy.everyRecord());
        assertThat(Binder.fsync("never")).isEqualTo(FsyncPolicy.never());
        assertThat(Binder.fsync("every 100 records")).isEqualTo(FsyncPolicy.everyRecords(100));
        assertThat(Binder.fsync("every 1s")).isEqualTo(FsyncPolicy.interval(Duration.ofSeconds(1)));
        assertThat(problems(withSecurity("audit: {fsync: sometimes}\n"))).containsExactly("warden.yaml:9:18:"
                + " 'security.audit.fsync' must be every-record, never, 'every N records' or 'every DURATION'"
                + " (e.g. every 1s), was \"sometimes\"");
    }

    @Test
    void brokenPolicyFileIsReportedAtItsKey() throws IOException {
        Files.writeString(dir.resolve("policy.yaml"), "version: 1\nrules:\n  - id: x\n    effect: allow\n"
                + "    targets: \"tool:*\"\n    when: \"principal.tenant ==\"\n");

        assertThat(problems(withSecurity("policy: policy.yaml\n"))).singleElement().asString()
                .startsWith("warden.yaml:9:11: invalid policy file " + dir.resolve("policy.yaml") + ": ");
    }

    @Test
    void missingPolicyFileIsReportedAtItsKey() {
        assertThat(problems(withSecurity("policy: nope.yaml\n"))).containsExactly("warden.yaml:9:11:"
                + " 'security.policy' names a file that does not exist: " + dir.resolve("nope.yaml"));
    }

    @Test
    void rateLimitRulesBindToTheJavaRecords() {
        WardenConfig c = check(withSecurity("""
                rate-limits:
                  rules:
                    - {name: tool-calls-per-principal, capacity: 300, period: 1m, methods: [tools/call]}
                  concurrency:
                    - {name: in-flight, key: principal-tool, max-in-flight: 4}
                  when-unavailable: fail-open
                """)).orElseThrow();

        assertThat(c.security().rateLimits().rules()).containsExactly(RateLimitRule.toolCallsPerMinutePerPrincipal(300));
        assertThat(c.security().rateLimits().concurrency().getFirst().key())
                .isEqualTo(RateLimitRule.Key.PRINCIPAL_TOOL);
        assertThat(c.security().rateLimits().whenUnavailable()).isEqualTo(RateLimitStage.WhenUnavailable.FAIL_OPEN);
    }

    @Test
    void scopeRulesBindPerMethodAndTarget() {
        WardenConfig c = check(withSecurity("""
                scopes:
                  methods: {tools/call: [mcp:tools]}
                  tools: {delete_ticket: [admin]}
                  resources: {"tickets://{id}": [tickets:read]}
                """)).orElseThrow();

        assertThat(c.security().scopes().methods()).isEqualTo(Map.of("tools/call", Set.of("mcp:tools")));
        assertThat(c.security().scopes().tools()).isEqualTo(Map.of("delete_ticket", Set.of("admin")));
        assertThat(c.security().scopes().resources()).isEqualTo(Map.of("tickets://{id}", Set.of("tickets:read")));
    }

    @Test
    void loadReadsAFileAndResolvesPathsFromItsDirectory() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path file = Files.writeString(sub.resolve("warden.yaml"), withSecurity("audit: {file: audit.jsonl}\n"));

        WardenConfig c = WardenConfig.load(file);

        assertThat(c.security().audit().file()).contains(sub.resolve("audit.jsonl"));
    }

    @Test
    void anAuditReplicaIdNamesTheChainFileAndIsValidated() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path file = Files.writeString(sub.resolve("warden.yaml"),
                withSecurity("audit: {file: audit.jsonl, replica: warden-2}\n"));

        WardenConfig c = WardenConfig.load(file);

        assertThat(c.security().audit().options().replica()).contains("warden-2");
        assertThat(c.security().audit().file()).contains(sub.resolve("audit.jsonl"));
        assertThat(c.security().audit().chainFile()).contains(sub.resolve("audit-warden-2.jsonl"));
        assertThat(problems(withSecurity("audit: {replica: \"r/2\"}\n"))).containsExactly("warden.yaml:9:20:"
                + " 'security.audit.replica' must be letters, digits, . _ or -, at most 64, not . or .., was \"r/2\"");
        assertThat(problems(withSecurity("audit: {replica: \"..\"}\n"))).containsExactly("warden.yaml:9:20:"
                + " 'security.audit.replica' must be letters, digits, . _ or -, at most 64, not . or .., was \"..\"");
    }

    @Test
    void loadThrowsEveryProblemInOneException() {
        assertThatThrownBy(() -> WardenConfig.parse(MINIMAL + "http: {port: x, path: y}\n", "w.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml:9:14: 'http.port' must be an integer (0-65535), was \"x\"\n"
                        + "w.yaml:9:23: 'http.path' must be a path starting with /, was \"y\"");
    }

    @Test
    void missingFileIsUnreadable() {
        assertThatThrownBy(() -> WardenConfig.load(dir.resolve("none.yaml")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.unreadable()).isTrue())
                .hasMessage(dir.resolve("none.yaml") + ":1:1: no such file");
    }

    @Test
    void withoutAStoreEverythingStaysInThisProcess() {
        assertThat(check(MINIMAL).orElseThrow().store()).isEqualTo(new StoreConfig.Memory());
    }

    @Test
    void aRedisStoreBindsItsUrlPasswordAndTimeout() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        WardenConfig c = check(MINIMAL + "store:\n  kind: redis\n  url: rediss://cache.acme.example:6380\n"
                + "  password: file:redis-password\n  timeout: 2s\n").orElseThrow();
        StoreConfig.Redis r = (StoreConfig.Redis) c.store();
        assertThat(r.urls()).containsExactly(java.net.URI.create("rediss://cache.acme.example:6380"));
        assertThat(r.cluster()).isFalse();
        assertThat(r.password().orElseThrow().reveal()).isEqualTo("s3cret");
        assertThat(r.timeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    }

    @Test
    void aRedisStoreTrustsThePrivateCaItNamesAndTheLimiterFollowsIt() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("redis-ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n"
                + "-----END CERTIFICATE-----\n");
        StoreConfig.Redis r = (StoreConfig.Redis) check(MINIMAL + "store:\n  kind: redis\n"
                + "  url: rediss://cache.acme.example:6380\n  ca-certificates: file:redis-ca.pem\n").orElseThrow()
                .store();
        assertThat(r.trust().orElseThrow().reveal()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(r.limiter().trust()).isEqualTo(r.trust());
        assertThat(r.limiter().urls()).isEqualTo(r.urls());
    }

    @Test
    void caCertificatesWithAPlainRedisUrlAreRefusedNotSilentlyUnused() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("redis-ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n"
                + "-----END CERTIFICATE-----\n");
        assertThat(problems(MINIMAL + "store:\n  kind: redis\n  url: redis://cache:6379\n"
                + "  ca-certificates: file:redis-ca.pem\n")).singleElement().asString().endsWith("CA certificates are"
                + " for rediss:// URLs: with redis:// the connection (and its password) would not be encrypted");
    }

    @Test
    void aRedisLimiterMayBeACluster() {
        WardenConfig.Result c = check(withSecurity("""
                rate-limits:
                  limiter: {kind: redis, cluster-nodes: ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"]}
                """));
        var redis = (LimiterConfig.Redis) c.orElseThrow().security().rateLimits().limiter();
        assertThat(redis.cluster()).isTrue();
        assertThat(redis.urls()).hasSize(2);
    }

    @Test
    void aDpopProofQuotaPerKeyIsBound() {
        var dpop = check(withSecurity("").replace("      - issuer: https://login.example.com\n",
                "      - issuer: https://login.example.com\n    dpop: {mode: required, proofs-per-key: 500}\n"))
                .orElseThrow().security().authentication().dpop().orElseThrow();
        assertThat(dpop.proofsPerKey()).isEqualTo(500);
        assertThat(check(withSecurity("").replace("      - issuer: https://login.example.com\n",
                "      - issuer: https://login.example.com\n    dpop: {mode: required}\n")).orElseThrow().security()
                .authentication().dpop().orElseThrow().proofsPerKey()).isEqualTo(10_000);
    }

    @Test
    void theTransportLimitsAreBoundFromTheHttpSection() {
        WardenConfig c = check(MINIMAL.replace("security:\n", """
                http:
                  limits:
                    body-bytes-in-flight: 1048576
                    min-body-bytes-per-second: 2048
                    body-grace: 5s
                    session-starts: {burst: 10, per-minute: 30}
                security:
                """)).orElseThrow();
        var l = c.http().limits();
        assertThat(l.bodyBytesInFlight()).isEqualTo(1_048_576);
        assertThat(l.minBodyBytesPerSecond()).isEqualTo(2048);
        assertThat(l.bodyGrace()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(l.sessionStarts()).isEqualTo(new dev.mcpwarden.server.http.TransportLimits.Rate(10, 0.5));
        assertThat(l.sessionRequests()).as("the default").isEqualTo(
                dev.mcpwarden.server.http.TransportLimits.DEFAULTS.sessionRequests());
        assertThat(problems(MINIMAL.replace("security:\n", "http:\n  limits: {body-bytes-in-flight: 100}\n"
                + "security:\n"))).singleElement().asString().contains("body-bytes-in-flight");
    }

    @Test
    void aClusterStoreNamesItsNodes() {
        StoreConfig.Redis r = (StoreConfig.Redis) check(MINIMAL + "store:\n  kind: redis\n  cluster-nodes:\n"
                + "    - redis://10.0.0.1:6379\n    - redis://10.0.0.2:6379\n").orElseThrow().store();
        assertThat(r.cluster()).isTrue();
        assertThat(r.urls()).hasSize(2);
        assertThat(r.timeout()).isEqualTo(java.time.Duration.ofMillis(500));
    }

    @Test
    void aRedisStoreWithCredentialsInItsUrlOrWithoutAnyAddressIsRefused() {
        assertThat(problems(MINIMAL + "store:\n  kind: redis\n  url: redis://user:pw@cache:6379\n"))
                .containsExactly("warden.yaml:10:3: invalid 'store': a Redis URL must not carry credentials; give the "
                        + "password as a secret reference instead (redis://cache)");
        assertThat(problems(MINIMAL + "store:\n  kind: redis\n"))
                .containsExactly("warden.yaml:10:3: invalid 'store': a Redis store needs a url or cluster nodes");
    }
}
