package dev.mcpwarden.config;

import static dev.mcpwarden.config.Shape.optional;
import static dev.mcpwarden.config.Shape.required;
import static dev.mcpwarden.config.Shape.withDefault;

import dev.mcpwarden.config.Shape.Bool;
import dev.mcpwarden.config.Shape.Choice;
import dev.mcpwarden.config.Shape.Dur;
import dev.mcpwarden.config.Shape.Field;
import dev.mcpwarden.config.Shape.FilePath;
import dev.mcpwarden.config.Shape.Int;
import dev.mcpwarden.config.Shape.ListOf;
import dev.mcpwarden.config.Shape.MapOf;
import dev.mcpwarden.config.Shape.Obj;
import dev.mcpwarden.config.Shape.Ratio;
import dev.mcpwarden.config.Shape.SecretRef;
import dev.mcpwarden.config.Shape.Tagged;
import dev.mcpwarden.config.Shape.Text;
import dev.mcpwarden.config.Shape.Uri;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.guard.UrlGuard;
import dev.mcpwarden.security.oauth.ResourceServerConfig;
import dev.mcpwarden.telemetry.TelemetryOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every key of the configuration file, declared once: the loader binds with these declarations and the JSON Schema
 * ({@code docs/warden.schema.json}) is written from them. Keys are kebab-case throughout, as in Kubernetes-style YAML;
 * names the user chooses (tools, arguments, methods) are taken as written.
 */
final class Layout {

    private Layout() {
    }

    static final Duration ZERO = Duration.ZERO;
    static final Duration DAY = Duration.ofDays(1);
    static final Duration YEAR = Duration.ofDays(366);

    static Dur dur(Duration min, Duration max) {
        return new Dur(min, max);
    }

    static final Text NAME = new Text(null, null);
    static final Text SCOPE = new Text("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$",
            "a scope (printable ASCII without spaces, quotes or backslashes)");
    static final ListOf NAMES = new ListOf(NAME, 0);
    static final ListOf SCOPES = new ListOf(SCOPE, 1);
    static final Choice LIMIT_KEY = new Choice("principal", "client", "tenant", "tool", "principal-tool", "address");
    static final Choice REDACTOR = new Choice("secrets-and-pii", "secrets", "none");
    static final Choice TEXT_MARKING = new Choice("delimit", "datamark", "encode");
    static final Choice FIELD_MARKING = new Choice("delimit", "datamark", "encode", "verbatim");
    static final Text FSYNC = new Text("^(every-record|never|every [1-9][0-9]{0,8} records|every [0-9]{1,9}(ms|s|m|h))$",
            "every-record, never, 'every N records' or 'every DURATION' (e.g. every 1s)");

    // ------------------------------------------------------------------------------------------------- server

    static final Obj SERVER = new Obj(List.of(
            required("name", NAME, "The server's name, sent to clients in serverInfo (e.g. acme-helpdesk)."),
            required("version", NAME, "The server's version, sent to clients in serverInfo (e.g. 1.4.0)."),
            optional("title", NAME, "A human-readable name for clients to display."),
            optional("instructions", NAME, "Instructions sent to clients on how to use this server.")));

    // --------------------------------------------------------------------------------------------------- http

    static Obj rate(int burst, int perMinute) {
        return new Obj(List.of(
                withDefault("burst", new Int(1, Integer.MAX_VALUE), burst, "How many may come at once."),
                withDefault("per-minute", new Int(1, Integer.MAX_VALUE), perMinute,
                        "How many more each minute after that (refilled continuously).")));
    }

    static final Obj TRANSPORT_LIMITS = new Obj(List.of(
            withDefault("body-bytes-in-flight", new Int(64 * 1024, Long.MAX_VALUE), 64L * 1024 * 1024,
                    "Body bytes all requests together may hold while their bodies arrive (503 beyond)."),
            withDefault("min-body-bytes-per-second", new Int(1, Integer.MAX_VALUE), 8 * 1024,
                    "The slowest average rate a body may arrive at after body-grace (408 beyond)."),
            withDefault("body-grace", dur(Duration.ofMillis(1), DAY), "10s",
                    "How long a body may take before the minimum rate applies."),
            withDefault("session-starts", rate(60, 120), Map.of(),
                    "2025 initialize per principal (per network for anonymous callers); 429 beyond."),
            withDefault("session-requests", rate(240, 2400), Map.of(),
                    "GET streams, and separately DELETEs, per principal (per network for anonymous callers)."),
            withDefault("network-shares", new Int(1, 1024), 8,
                    "Into how many shares body-bytes-in-flight is cut: one network (IPv4 address, IPv6 /64) holds at"
                            + " most one; 1 behind a proxy that hides the clients' addresses.")));

    static final Obj HTTP = new Obj(List.of(
            withDefault("host", NAME, "127.0.0.1", "The interface to bind; loopback unless set (0.0.0.0 for all)."),
            withDefault("port", new Int(0, 65535), 8080, "The TCP port; 0 picks a free one."),
            withDefault("path", new Text("^/.*$", "a path starting with /"), "/mcp", "The MCP endpoint path."),
            withDefault("allowed-hosts", NAMES, List.of(),
                    "Host header names accepted besides the loopback names (DNS-rebinding defence)."),
            withDefault("allowed-origins", NAMES, List.of(),
                    "Browser Origins accepted besides loopback origins, e.g. https://app.example; only these get"
                            + " CORS headers."),
            withDefault("max-body-bytes", new Int(1024, Integer.MAX_VALUE), 4 * 1024 * 1024,
                    "The largest request body accepted, in bytes (413 beyond)."),
            withDefault("max-json-depth", new Int(8, 1000), 64, "The deepest JSON nesting accepted."),
            withDefault("max-sessions", new Int(1, Integer.MAX_VALUE), 10_000,
                    "2025-era sessions kept at once."),
            withDefault("session-idle", dur(Duration.ofMillis(1), YEAR), "30m",
                    "Idle time after which a 2025-era session ends."),
            withDefault("events-per-session", new Int(1, Integer.MAX_VALUE), 1_000,
                    "SSE events kept per session for Last-Event-ID resumption."),
            withDefault("sse-retry", dur(Duration.ofMillis(1), DAY), "1s",
                    "The SSE retry interval sent to 2025-11-25 clients."),
            withDefault("keep-alive", dur(Duration.ofMillis(1), DAY), "15s",
                    "Interval of SSE keep-alive comments on long-lived streams."),
            withDefault("limits", TRANSPORT_LIMITS, Map.of(), "What one caller, or all together, may hold of the"
                    + " transport (docs/transport-safety.md).")));

    // ----------------------------------------------------------------------------------------- authentication

    static final Obj ISSUER = new Obj(List.of(
            required("issuer", NAME, "The exact iss value the issuer's tokens carry."),
            optional("jwks-uri", new Uri("https", "http"),
                    "The issuer's key set URL; without it (and without jwks-file) it is discovered from the issuer's"
                            + " metadata."),
            optional("jwks-file", new FilePath(true),
                    "A file holding the issuer's public key set (JWKS), for air-gapped deployments.")),
            List.of(List.of("jwks-uri", "jwks-file")));

    static final Obj DPOP = new Obj(List.of(
            withDefault("mode", new Choice("optional", "required"), "optional",
                    "optional: bearer and DPoP tokens; required: DPoP-bound tokens only."),
            withDefault("require-nonce", new Bool(), false, "Whether proofs must carry a server-issued nonce."),
            withDefault("proof-window", dur(Duration.ofSeconds(1), Duration.ofMinutes(5)), "60s",
                    "How old (or how far in the future) a proof's iat may be."),
            optional("nonce-secret", new SecretRef(),
                    "The key DPoP nonces are signed with, as a secret reference (file:... or env:..., at least 32"
                            + " bytes); give every replica the same one so that each accepts the others' nonces."
                            + " Absent: a random key per process."),
            withDefault("proofs-per-key", new Int(1, Integer.MAX_VALUE), 10_000,
                    "The most proofs one key may have remembered per two proof windows, before the replay cache"
                            + " (429 beyond).")));

    static final Obj INTROSPECTION = new Obj(List.of(
            required("endpoint", new Uri("https", "http"),
                    "The RFC 7662 introspection URL (https, or http on loopback)."),
            required("issuer", NAME, "The issuer the introspected tokens belong to."),
            required("client-id", NAME, "This resource server's client id at the authorization server."),
            required("client-secret", new SecretRef(),
                    "This resource server's client secret, as a secret reference (file:... or env:...)."),
            withDefault("timeout", dur(Duration.ofMillis(1), Duration.ofMinutes(1)), "5s",
                    "How long one introspection call may take."),
            withDefault("max-cache-ttl", dur(ZERO, DAY), "1m",
                    "How long an active result may be reused (never beyond the token's exp): also how late a"
                            + " revocation may reach this server."),
            withDefault("introspect", new Choice("always", "opaque"), "always",
                    "Which tokens are checked: always (opaque tokens, and the issuer's JWTs after their signature,"
                            + " so that a revoked token stops working within max-cache-ttl; one call per token per"
                            + " max-cache-ttl) or opaque (only opaque tokens; a revoked JWT works until it"
                            + " expires).")));

    static final List<String> ALGORITHMS = ResourceServerConfig.DEFAULT_ALGORITHMS.stream()
            .map(a -> a.getName()).sorted().toList();

    static final Obj AUTHENTICATION = new Obj(List.of(
            required("resource", new Uri("https", "http"),
                    "This server's canonical URI (RFC 8707), e.g. https://mcp.example.com/mcp; tokens must name it"
                            + " in aud. http only on loopback."),
            required("issuers", new ListOf(ISSUER, 1), "The authorization servers trusted to issue tokens."),
            withDefault("scopes-supported", new ListOf(SCOPE, 0), List.of(),
                    "The minimal scopes for basic use, published in the metadata and the 401 challenge."),
            withDefault("algorithms", new ListOf(new Choice(ALGORITHMS.toArray(String[]::new)), 1), ALGORITHMS,
                    "Signature algorithms accepted (asymmetric only)."),
            withDefault("require-at-jwt-type", new Bool(), false, "Whether tokens must carry typ: at+jwt (RFC 9068)."),
            withDefault("clock-skew", dur(ZERO, Duration.ofSeconds(60)), "60s",
                    "Tolerance for exp, nbf and iat; at most 60s."),
            withDefault("tenant-claim", NAME, "tenant", "The claim naming the caller's tenant."),
            withDefault("roles-claim", NAME, "roles", "The claim listing the caller's roles."),
            withDefault("token-cache-size", new Int(0, 10_000_000), 10_000,
                    "Verified tokens kept (by digest) so signatures are not checked twice."),
            withDefault("jwks-refresh-minimum", dur(ZERO, DAY), "30s",
                    "The least time between two key set fetches for unknown key ids."),
            optional("dpop", DPOP, "Sender-constrained tokens with DPoP (RFC 9449); absent: bearer tokens only."),
            optional("introspection", INTROSPECTION,
                    "Where tokens are checked for being still active (opaque tokens, and by default the issuer's"
                            + " JWTs); absent: JWTs only, checked locally (a revoked JWT works until it expires).")));

    // --------------------------------------------------------------------------------------------------- scopes

    static final MapOf SCOPE_MAP = new MapOf("name", SCOPES);

    static final Obj SCOPE_RULES = new Obj(List.of(
            withDefault("methods", new MapOf("method", SCOPES), Map.of(),
                    "Scopes every request of a JSON-RPC method needs, e.g. tools/call: [mcp:tools]."),
            withDefault("tools", new MapOf("tool", SCOPES), Map.of(), "Scopes by tool name."),
            withDefault("prompts", new MapOf("prompt", SCOPES), Map.of(), "Scopes by prompt name."),
            withDefault("resources", new MapOf("resource", SCOPES), Map.of(),
                    "Scopes by resource URI or resource template URI template.")));

    // ---------------------------------------------------------------------------------------------- rate limits

    static final Obj RULE = new Obj(List.of(
            required("name", NAME, "Names the limit in errors and the audit log; unique."),
            withDefault("key", LIMIT_KEY, "principal", "What is counted separately."),
            required("capacity", new Int(1, Long.MAX_VALUE), "Requests allowed per period (also the burst)."),
            required("period", dur(Duration.ofMillis(1), YEAR), "The refill period, e.g. 1m."),
            withDefault("methods", NAMES, List.of(),
                    "The JSON-RPC methods counted, e.g. [tools/call]; empty: every method.")));

    static final Obj CONCURRENCY = new Obj(List.of(
            required("name", NAME, "Names the limit in errors and the audit log; unique."),
            withDefault("key", LIMIT_KEY, "principal", "What is counted separately."),
            required("max-in-flight", new Int(1, Integer.MAX_VALUE), "Requests allowed at once; the next gets 429."),
            withDefault("methods", NAMES, List.of(), "The JSON-RPC methods counted; empty: every method.")));

    private static final String CA_CERTIFICATES = "PEM certificates (a private CA) a rediss:// server's chain must"
            + " lead to, as a secret reference; absent: the JVM's trust store.";

    static final Tagged LIMITER = new Tagged(variants(
            "local", new Obj(List.of(
                    required("kind", new Choice("local"), "Count in this process's memory."),
                    withDefault("capacity", new Int(1, 100_000_000), 100_000,
                            "Buckets kept at once (one per rule and key)."))),
            "redis", new Obj(List.of(
                    required("kind", new Choice("redis"), "Count in Redis, shared by every replica."),
                    optional("url", new Uri("redis", "rediss", "redis-sentinel", "rediss-sentinel"),
                            "redis://host:port[/db], rediss://... (TLS) or redis-sentinel://host:26379/0#master,"
                                    + " without credentials."),
                    optional("cluster-nodes", new ListOf(new Uri("redis", "rediss"), 1),
                            "A Redis Cluster's seed nodes, instead of url."),
                    optional("password", new SecretRef(), "The Redis password, as a secret reference."),
                    optional("ca-certificates", new SecretRef(), CA_CERTIFICATES)),
                    List.of(List.of("url", "cluster-nodes")))));

    static final Obj RATE_LIMITS = new Obj(List.of(
            withDefault("rules", new ListOf(RULE, 0), List.of(), "Rate limits (token buckets)."),
            withDefault("concurrency", new ListOf(CONCURRENCY, 0), List.of(), "Limits on requests in flight."),
            withDefault("limiter", LIMITER, Map.of("kind", "local"), "Where rate limits are counted."),
            withDefault("when-unavailable", new Choice("fail-closed", "fail-open"), "fail-closed",
                    "When the limiter's store cannot be reached: refuse with 503 (fail-closed) or let requests"
                            + " through (fail-open).")));

    // ----------------------------------------------------------------------------------------------- guards

    static final Tagged INPUT_GUARD = new Tagged(variants(
            "path", new Obj(List.of(
                    required("kind", new Choice("path"), "A relative path that must stay below root."),
                    required("root", new FilePath(false), "The directory paths are kept below."))),
            "shell", new Obj(List.of(
                    required("kind", new Choice("shell"), "A value passed as exactly one argument to a program."),
                    withDefault("max-length", new Int(1, 4096), 253, "The longest value admitted."))),
            "url", new Obj(List.of(
                    required("kind", new Choice("url"), "A URL that may reach public destinations only (SSRF)."),
                    withDefault("schemes", new ListOf(new Choice("http", "https"), 1), List.of("http", "https"),
                            "Schemes allowed."),
                    withDefault("ports", new ListOf(new Int(1, 65535), 0), List.of(),
                            "Ports allowed; empty: any port."),
                    withDefault("extra-denied-hosts", NAMES, List.of(),
                            "Host names refused besides the standard list (loopback, cloud metadata, *.internal);"
                                    + " a leading dot denies a suffix."),
                    withDefault("max-length", new Int(16, 65536), 2048, "The longest URL judged.")))));

    static final Tagged DETECTOR = new Tagged(variants(
            "heuristic", new Obj(List.of(
                    required("kind", new Choice("heuristic"), "The built-in heuristic detector."))),
            "prompt-shields", new Obj(List.of(
                    required("kind", new Choice("prompt-shields"), "Azure AI Content Safety Prompt Shields."),
                    required("endpoint", new Uri("https", "http"),
                            "The Content Safety resource, e.g. https://NAME.cognitiveservices.azure.com."),
                    required("key", new SecretRef(), "The subscription key, as a secret reference."),
                    withDefault("api-version", new Text("^[0-9A-Za-z.-]+$", "an API version like 2024-09-01"),
                            "2024-09-01", "The API version."),
                    withDefault("timeout", dur(Duration.ofMillis(1), Duration.ofMinutes(1)), "2s",
                            "Time for one call, connection included."),
                    withDefault("fail-closed", new Bool(), true,
                            "Whether an unreachable service counts as an attack (quarantine)."),
                    withDefault("max-chars", new Int(100, 100_000), 10_000, "Longest text per request.")))));

    static final Obj SPOTLIGHT_FIELDS_AND_MODES = new Obj(List.of(
            optional("text", TEXT_MARKING, "How its untrusted text is marked; absent: spotlighting.text."),
            optional("structured", FIELD_MARKING,
                    "How strings of its untrusted structured content are marked; absent: spotlighting.structured."),
            withDefault("fields", new MapOf("field", FIELD_MARKING), Map.of(),
                    "Markings by field of structuredContent (JSON Pointer, * for any member or index, or a member"
                            + " name at any depth); a marking other than verbatim declares the field third-party data.")));

    static final Obj SPOTLIGHTING = new Obj(List.of(
            withDefault("text", TEXT_MARKING, "delimit",
                    "How untrusted text is marked: content blocks, resource contents, prompt messages, error messages,"
                            + " streamed notifications."),
            withDefault("structured", FIELD_MARKING, "datamark",
                    "How strings of untrusted structured content are marked (datamark and encode change the values"
                            + " a program reads; verbatim keeps them)."),
            withDefault("fields", new MapOf("field", FIELD_MARKING), Map.of(),
                    "Markings by field for every tool without its own (JSON Pointer or member name)."),
            withDefault("tools", new MapOf("tool", SPOTLIGHT_FIELDS_AND_MODES), Map.of(),
                    "Spotlighting of one tool.")));

    static final Obj OUTPUT_GUARDS = new Obj(List.of(
            withDefault("redactor", REDACTOR, "secrets-and-pii",
                    "The redactor of every tool (and prompt, resource, completion) without its own; anything but"
                            + " secrets-and-pii lets personal data through (warned at start-up)."),
            withDefault("redactors", new MapOf("tool", REDACTOR), Map.of(),
                    "Redactors by tool name: secrets or none is an opt-out of personal-data redaction (warned)."),
            withDefault("untrusted-tools", NAMES, List.of(),
                    "Tools whose whole output third parties write: checked for prompt injection and spotlighted."
                            + " Tools may also declare it in their definitions."),
            withDefault("untrusted-prompts", NAMES, List.of(),
                    "Prompts whose messages third parties write: checked for prompt injection and spotlighted."),
            withDefault("untrusted-resources", NAMES, List.of(),
                    "Resources (URIs or the URI templates serving them) whose contents third parties write."),
            withDefault("spotlighting", SPOTLIGHTING, Map.of(), "How untrusted output is marked for the model."),
            withDefault("detector", DETECTOR, Map.of("kind", "heuristic"),
                    "The prompt-injection detector for untrusted output.")));

    static final Obj INTEGRITY = new Obj(List.of(
            required("pins", new FilePath(true), "The pin file (JSON) tool definitions are checked against.")));

    static final Obj AUDIT = new Obj(List.of(
            optional("file", new FilePath(false), "The hash-chained JSON-lines audit log; absent: no audit log."),
            withDefault("fsync", FSYNC, "every-record", "When written records are forced to stable storage."),
            withDefault("queue-capacity", new Int(1, 1_000_000), 8192, "Events that may wait for the writer."),
            withDefault("back-pressure-timeout", dur(ZERO, Duration.ofHours(1)), "5s",
                    "How long a request waits for queue space before it fails."),
            withDefault("max-record-bytes", new Int(1024, 1 << 20), 65536, "The largest record line accepted."),
            optional("key", new SecretRef(),
                    "The key of keyed mode (HMAC-SHA256 chain): base64 of at least 32 bytes, as a secret"
                            + " reference."),
            optional("replica", new Text("^(?!\\.\\.?$)[A-Za-z0-9._-]{1,64}$",
                            "letters, digits, . _ or -, at most 64, not . or .."),
                    "This replica's id: named in its chain's genesis record and in its file name (audit.jsonl of"
                            + " replica r2 is audit-r2.jsonl); absent: one process.")));

    static final Obj SECURITY = new Obj(List.of(
            required("authentication", AUTHENTICATION, "How callers authenticate (OAuth resource server)."),
            withDefault("scopes", SCOPE_RULES, Map.of(),
                    "Scopes required per method, tool, prompt and resource beyond those tools declare."),
            optional("policy", new FilePath(true), "The CEL policy file; absent: scopes only."),
            withDefault("rate-limits", RATE_LIMITS, Map.of(), "Rate and concurrency limits."),
            withDefault("input-guards", new MapOf("tool", new MapOf("argument", INPUT_GUARD)), Map.of(),
                    "Guards of tool arguments: tool name, then argument name, then the guard."),
            withDefault("output-guards", OUTPUT_GUARDS, Map.of(), "Redaction and injection checks of tool results."),
            optional("integrity", INTEGRITY, "Tool integrity (pinned definitions); absent: none."),
            withDefault("audit", AUDIT, Map.of(), "The audit log.")));

    // -------------------------------------------------------------------------------------------------- gateway

    static final Tagged SANDBOX = new Tagged(variants(
            "bubblewrap", new Obj(List.of(
                    required("kind", new Choice("bubblewrap"), "Run the command in a bubblewrap sandbox (Linux)."),
                    withDefault("network", new Bool(), false, "Whether it may use the network at all."),
                    withDefault("read-only", new ListOf(new FilePath(true), 0), List.of(),
                            "Further paths it may read."),
                    withDefault("read-write", new ListOf(new FilePath(true), 0), List.of(),
                            "Further paths it may read and write."),
                    withDefault("max-processes", new Int(1, 1_000_000), 256,
                            "The most processes and threads it may run at once."),
                    withDefault("max-memory-bytes", new Int(0, Long.MAX_VALUE), 2L << 30,
                            "The most memory it may use, in bytes; 0: no limit."),
                    withDefault("max-cpu", dur(ZERO, YEAR), "0s", "The most CPU time it may use in all; 0s: no limit."))),
            "none", new Obj(List.of(
                    required("kind", new Choice("none"), "No sandbox: the command runs with the gateway's own rights"
                            + " (warned at start-up).")))));

    /** The gateway as an OAuth client at a token endpoint; the texts say what for. */
    private static Obj oauthClient(String clientId, String scopes, String resource, Field... more) {
        List<Field> fields = new java.util.ArrayList<>(List.of(
                required("token-endpoint", new Uri("https", "http"),
                        "The authorization server's token endpoint: https, or http on a loopback address."),
                required("client-id", NAME, clientId),
                required("client-secret", new SecretRef(),
                        "Its client secret, as a secret reference (sent with HTTP Basic)."),
                withDefault("scopes", NAMES, List.of(), scopes),
                optional("resource", new Uri("https", "http"), resource)));
        fields.addAll(List.of(more));
        return new Obj(fields);
    }

    static final Obj CLIENT_CREDENTIALS = oauthClient("The gateway's client id there.",
            "The scopes to ask for; none: the client's defaults.",
            "The resource indicator (RFC 8707) to ask a token for; absent: the upstream's URL.");

    static final Obj TOKEN_EXCHANGE = oauthClient(
            "The gateway's client id there, allowed to exchange tokens.",
            "The scopes to ask for; none: the caller's.",
            "The resource indicator (RFC 8707) to exchange for; absent: the upstream's URL.",
            withDefault("audiences", NAMES, List.of(), "The audiences (RFC 8693 audience) to ask for, for an "
                    + "authorization server that names resources by other identifiers than URLs (Keycloak: the "
                    + "upstream's client id); none: the resource indicator alone."));

    static final Tagged TRANSPORT = new Tagged(variants(
            "http", new Obj(List.of(
                    required("kind", new Choice("http"), "A Streamable HTTP endpoint."),
                    required("url", new Uri("https", "http"), "The upstream's MCP endpoint."),
                    optional("bearer", new SecretRef(),
                            "The upstream's own credential (Authorization: Bearer), as a secret reference; never the"
                                    + " client's."),
                    withDefault("headers", new MapOf("header", new SecretRef()), Map.of(),
                            "Further headers, each value a secret reference (e.g. X-Api-Key: env:TICKETS_KEY)."),
                    optional("client-credentials", CLIENT_CREDENTIALS,
                            "The gateway's own OAuth client credentials at the upstream's authorization server: a"
                                    + " token it asks for, keeps until shortly before expiry and sends instead of a"
                                    + " static bearer; never the client's."),
                    optional("token-exchange", TOKEN_EXCHANGE,
                            "Each caller's token exchanged (RFC 8693) for one whose audience is the upstream, sent"
                                    + " with that caller's requests; the gateway's own requests (lists) keep bearer or"
                                    + " client-credentials. Needs a 2026-07-28 upstream.")),
                    List.of(List.of("bearer", "client-credentials"))),
            "stdio", new Obj(List.of(
                    required("kind", new Choice("stdio"), "A command the gateway starts and supervises."),
                    required("command", new ListOf(NAME, 1), "The program and its arguments."),
                    withDefault("environment", new MapOf("variable", NAME), Map.of(),
                            "The only environment variables it gets (PATH is added when absent)."),
                    optional("working-directory", new FilePath(true), "Where it runs."),
                    withDefault("sandbox", SANDBOX, Map.of("kind", "bubblewrap"), "How it is confined."),
                    optional("program-digest", new Text("^sha256:[0-9a-f]{64}$", "sha256: and 64 hex digits"),
                            "The pinned SHA-256 of the program's file (found on PATH when named without a"
                                    + " directory); another file is refused at start."))),
            "npm", new Obj(List.of(
                    required("kind", new Choice("npm"), "An npm package the gateway installs from a lockfile into"
                            + " its cache (npm ci, no install scripts) and runs with Node; never npx."),
                    required("package", new Text("^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*@.+$",
                            "name@version, e.g. @scope/name@1.2.3"), "The package and its exact version"
                            + " (@scope/name@1.2.3); a range or tag only with allow-unpinned."),
                    withDefault("arguments", new ListOf(NAME, 0), List.of(), "The arguments after its program."),
                    withDefault("environment", new MapOf("variable", NAME), Map.of(),
                            "The only environment variables it gets (PATH is added when absent)."),
                    withDefault("sandbox", SANDBOX, Map.of("kind", "bubblewrap"), "How it is confined."),
                    optional("cache", new FilePath(false), "Where packages are installed, one directory per"
                            + " package and version; absent: $XDG_CACHE_HOME/warden/packages or"
                            + " ~/.cache/warden/packages."),
                    optional("npm", new FilePath(true), "The npm program; absent: npm on PATH."),
                    optional("node", new FilePath(true), "The Node program that runs the server; absent: the node"
                            + " beside npm, else on PATH."),
                    withDefault("allow-unpinned", new Bool(), false, "Install a range or tag as it resolves now"
                            + " (warned about); its lockfile then pins that version until the cache directory is"
                            + " removed."),
                    optional("integrity", new Text("^sha512-[A-Za-z0-9+/]{86}==$", "sha512- and a base64 SHA-512"),
                            "The package's pinned integrity, as its lockfile names it (warden scan --write-pins"
                                    + " records it); a lockfile naming another is refused.")))));

    static final Obj UPSTREAM_CACHE = new Obj(List.of(
            withDefault("legacy-ttl", dur(ZERO, DAY), "0s",
                    "How long a 2025 upstream's lists and reads are kept (it sends no caching hints); 0s: read them"
                            + " again for every request. A 2026-07-28 upstream's are kept for the ttlMs it sends."),
            withDefault("tools", NAMES, List.of(),
                    "Tools (by the upstream's names) whose results are kept per principal and arguments, for"
                            + " tool-ttl; only while the upstream annotates them readOnlyHint and idempotentHint."),
            withDefault("tool-ttl", dur(ZERO, DAY), "0s", "How long an opted-in tool's result is kept.")));

    static final Obj ARGUMENT_CONSTRAINT = new Obj(List.of(
            withDefault("enum", NAMES, List.of(), "The only string values allowed; empty: any."),
            optional("pattern", NAME, "A regular expression the whole string value must match."),
            withDefault("max-length", new Int(0, 1_000_000), 0, "The most characters of a string value; 0: any."),
            withDefault("path-roots", NAMES, List.of(),
                    "The value is an absolute path that, normalized, lies under one of these roots; empty: any.")));

    static final Obj TOOL_TRANSFORM = new Obj(List.of(
            optional("name", new Text("^[A-Za-z0-9_.-]{1,128}$", "letters, digits, _ . or -"),
                    "The name clients see (no prefix is added)."),
            optional("description", NAME, "The description clients see."),
            withDefault("fixed", new MapOf("argument", NAME), Map.of(),
                    "Arguments always sent with these (string) values; absent from the listed schema, refused from"
                            + " a caller."),
            withDefault("defaults", new MapOf("argument", NAME), Map.of(),
                    "Arguments sent with these (string) values when the caller sends none, or null."),
            withDefault("from-principal", new MapOf("argument", new Choice("tenant", "subject", "client")), Map.of(),
                    "Arguments filled from the caller's token; absent from the listed schema, refused from a caller."),
            withDefault("remove", NAMES, List.of(), "Arguments removed from the schema, refused from a caller."),
            withDefault("constraints", new MapOf("argument", ARGUMENT_CONSTRAINT), Map.of(),
                    "Tightened constraints, checked before the upstream sees a call."),
            withDefault("drop-result", NAMES, List.of(),
                    "JSON pointers into the result removed from it (/structuredContent/internalId); the"
                            + " upstream's text goes, one text block of the filtered structured content stays."),
            withDefault("keep-result", NAMES, List.of(),
                    "When not empty, only these JSON pointers of the result are kept (isError too).")));

    static final Obj UPSTREAM = new Obj(List.of(
            required("name", new Text("^[a-z0-9][a-z0-9-]{0,62}$", "lower-case letters, digits and -"),
                    "Names the upstream in logs, errors, the audit log and the inventory; unique."),
            required("transport", TRANSPORT, "How the upstream is reached."),
            withDefault("era", new Choice("auto", "2025", "2026"), "auto",
                    "auto: the 2026-07-28 wire first, a 2025-11-25 session when it does not speak it; or forced."),
            optional("prefix", new Text("^[A-Za-z0-9_.-]{1,64}$", "letters, digits, _ . or -"),
                    "Put before each of its tool and prompt names."),
            withDefault("include", NAMES, List.of(), "Only these tool and prompt names are served; empty: all."),
            withDefault("exclude", NAMES, List.of(), "These tool and prompt names are never served."),
            withDefault("request-timeout", dur(Duration.ofMillis(1), DAY), "30s",
                    "How long a request may wait for its answer."),
            withDefault("max-concurrent", new Int(1, 100_000), 64,
                    "Requests in flight to it at once; one more is answered busy at once."),
            withDefault("failures-to-open", new Int(1, 1000), 5,
                    "Transport failures in a row that open its circuit."),
            withDefault("open-for", dur(Duration.ofMillis(1), DAY), "30s",
                    "How long an open circuit answers at once before it is tried again."),
            withDefault("withhold-poisoned", new Choice("info", "low", "medium", "high", "critical", "none"), "high",
                    "Definitions the poisoning scanner rates this severity or worse are not served; none: all are."),
            withDefault("untrusted-output", new Bool(), false,
                    "Its tools' output is written by third parties (web pages, tickets, mail): checked for prompt"
                            + " injection, quarantined when one is found, otherwise delimited (spotlighting)."),
            withDefault("tasks", NAMES, List.of(), "Its tools (its own names) the gateway runs as tasks of its own"
                    + " for callers that declare the tasks extension: for long calls of a 2025 upstream (raise"
                    + " request-timeout to match)."),
            withDefault("isolation", new Choice("shared", "per-principal"), "shared",
                    "shared: one process serves every caller; per-principal: a stdio upstream's process per"
                            + " principal, for servers that keep a user's state."),
            withDefault("max-principal-processes", new Int(1, 10_000), 32,
                    "With per-principal: the most processes at once (the least recently used idle one is stopped)."),
            withDefault("principal-idle", dur(Duration.ofMillis(1), DAY), "10m",
                    "With per-principal: idle time after which a principal's process is stopped."),
            withDefault("cache", UPSTREAM_CACHE, Map.of(),
                    "What the gateway keeps of its answers (lists, reads, opted-in tool results), and how long."),
            withDefault("transform", new MapOf("tool", TOOL_TRANSFORM), Map.of(),
                    "How some of its tools are served, by the upstream's tool names: renamed, arguments set by the"
                            + " gateway, constraints tightened, result fields dropped.")));

    static final Obj GATEWAY = new Obj(List.of(
            required("upstreams", new ListOf(UPSTREAM, 1), "The MCP servers behind the gateway."),
            withDefault("trust-on-first-use", new Bool(), false,
                    "With security.integrity.pins naming a file that does not exist: pin what the upstreams list"
                            + " at start-up (warned).")));

    static final Tagged STORE = new Tagged(variants(
            "memory", new Obj(List.of(
                    required("kind", new Choice("memory"), "In this process's memory: one replica."))),
            "redis", new Obj(List.of(
                    required("kind", new Choice("redis"), "In one Redis, shared by every replica."),
                    optional("url", new Uri("redis", "rediss", "redis-sentinel", "rediss-sentinel"),
                            "redis://host:port[/db], rediss://... (TLS) or redis-sentinel://host:26379/0#master,"
                                    + " without credentials."),
                    optional("cluster-nodes", new ListOf(new Uri("redis", "rediss"), 1),
                            "A Redis Cluster's seed nodes, instead of url."),
                    optional("password", new SecretRef(), "The Redis password, as a secret reference."),
                    optional("ca-certificates", new SecretRef(), CA_CERTIFICATES),
                    withDefault("timeout", dur(Duration.ofMillis(1), Duration.ofMinutes(1)), "500ms",
                            "How long one command may take before what needs Redis is refused (503).")),
                    List.of(List.of("url", "cluster-nodes")))));

    // ---------------------------------------------------------------------------------------------- telemetry

    static final Obj ADMIN = new Obj(List.of(
            withDefault("host", NAME, "127.0.0.1", "The interface the admin port binds; loopback unless set."),
            required("port", new Int(0, 65535), "The admin port: /metrics, /healthz, /readyz; 0 picks a free one.")));

    static final Obj TELEMETRY = new Obj(List.of(
            optional("service-name", NAME, "service.name of spans and metrics; default: server.name."),
            withDefault("traces", new Bool(), false, "OpenTelemetry traces of every MCP request, exported over"
                    + " OTLP/HTTP (docs/observability.md)."),
            withDefault("sample-ratio", new Ratio(), TelemetryOptions.DEFAULT_SAMPLE_RATIO, "The share of traces"
                    + " started here that are sampled; a caller's sampling decision is followed."),
            withDefault("metrics", new Bool(), false, "Metrics: the semantic conventions' durations and Warden's"
                    + " security counters, on the admin port's /metrics."),
            withDefault("otlp-metrics", new Bool(), false, "Also push metrics over OTLP (needs metrics)."),
            optional("otlp-endpoint", new Uri("http", "https"), "The OTLP/HTTP endpoint, e.g."
                    + " http://collector:4318; default: OTEL_EXPORTER_OTLP_ENDPOINT or the SDK's."),
            optional("admin", ADMIN, "The admin port (needs metrics); absent: none.")));

    static final Obj ROOT = new Obj(List.of(
            required("server", SERVER, "Who this server is."),
            withDefault("http", HTTP, Map.of(), "How Streamable HTTP is served."),
            required("security", SECURITY, "The security pipeline."),
            optional("gateway", GATEWAY, "Warden as a gateway in front of other MCP servers (warden gateway"
                    + " --config); absent: not a gateway."),
            withDefault("store", STORE, Map.of("kind", "memory"), "Where what replicas share is kept: 2025"
                    + " sessions and their events, rate limits, replay caches (docs/scaling.md)."),
            withDefault("telemetry", TELEMETRY, Map.of(), "OpenTelemetry traces and metrics and the admin port"
                    + " (docs/observability.md); off unless asked for.")));

    private static Map<String, Obj> variants(Object... kv) {
        Map<String, Obj> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Obj) kv[i + 1]);
        }
        return m;
    }

    /** The JSON Schema (2020-12) of the file, as committed in {@code docs/warden.schema.json}. */
    static ObjectNode schema() {
        ObjectNode s = Json.object();
        s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        s.put("title", "Warden configuration");
        s.put("description", "One file configuring a Warden MCP server: server, http and security. Keys are"
                + " kebab-case; durations are written 500ms, 30s, 5m, 1h, 1d or ISO-8601 (PT30S); secrets are"
                + " references (file:PATH or env:NAME), never literals; relative paths start at this file's"
                + " directory.");
        s.setAll(ROOT.schema());
        return s;
    }

    static final List<String> DEFAULT_DENIED_HOSTS = UrlGuard.DEFAULT_DENIED_HOSTS.stream().sorted().toList();
}
