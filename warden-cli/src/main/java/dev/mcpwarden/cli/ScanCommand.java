package dev.mcpwarden.cli;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.security.integrity.Definition;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.NameCollisions;
import dev.mcpwarden.security.integrity.PinCheck;
import dev.mcpwarden.gateway.Gateway;
import dev.mcpwarden.gateway.GatewayException;
import dev.mcpwarden.gateway.UpstreamConfig;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.security.integrity.PinFileException;
import dev.mcpwarden.security.integrity.PoisoningFinding;
import dev.mcpwarden.security.integrity.PoisoningScanner;
import dev.mcpwarden.security.integrity.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code warden scan}: connect to an MCP server as a client, list its tools, prompts and resource templates, and
 * print each definition's digest and tool-poisoning findings; compare them with a pin file, and write one.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scan an MCP server's tools, prompts and resource templates for tool poisoning, print their"
                + " digests, compare them with a pin file and write one.",
                "TARGET is an http(s) URL of the MCP endpoint, or, after --, a command that speaks MCP on stdio:",
                "  warden scan https://mcp.example.com/mcp --token \"$TOKEN\"",
                "  warden scan --write-pins warden-pins.json -- node server.js --stdio",
                "  warden scan --write-pins warden-pins.json -- npm:@scope/name@1.2.3 ARG...",
                "An npm: package is installed from a lockfile as the gateway installs it (docs/supply-chain.md), and"
                        + " its version and integrity are pinned with its definitions.",
                "Exit status: 0 clean; 1 findings at or above --fail-on, name collisions, or (with --pins) a"
                        + " changed, new or removed definition; 2 usage error or unreadable/unwritable pin file;"
                        + " 3 the server could not be reached or did not speak MCP."})
public final class ScanCommand implements Callable<Integer> {

    /** Nothing at or above the failing severity, no collisions, and the pins (if given) match. */
    public static final int CLEAN = 0;
    /** Findings at or above the failing severity, name collisions, or a pin mismatch. */
    public static final int FINDINGS = 1;
    /** Bad usage, or a pin file that cannot be read or written. */
    public static final int USAGE = 2;
    /** The server could not be reached, refused us, or did not answer like an MCP server. */
    public static final int UNREACHABLE = 3;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TARGET",
            description = "An http(s):// MCP endpoint URL, or (after --) a command and its arguments.")
    List<String> target;

    @Option(names = "--token", paramLabel = "T", defaultValue = "${env:WARDEN_SCAN_TOKEN}",
            description = "Bearer token for an HTTP server (default: $WARDEN_SCAN_TOKEN).")
    String token;

    @Option(names = "--pins", paramLabel = "FILE", description = "Compare the definitions with this pin file.")
    Path pins;

    @Option(names = "--write-pins", paramLabel = "FILE",
            description = "Write the pin file of the listed definitions (refused when there are findings at or"
                    + " above --fail-on or name collisions, unless --force).")
    Path writePins;

    @Option(names = "--package-cache", paramLabel = "DIR", description = "Where an npm: target is installed"
            + " (default: the gateway's, $XDG_CACHE_HOME/warden/packages or ~/.cache/warden/packages).")
    Path packageCache;

    @Option(names = "--force", description = "Write the pin file even when there are findings or collisions.")
    boolean force;

    @Option(names = "--allow", paramLabel = "FILE",
            description = "Findings accepted after review (JSON, committed beside the pin file): each names one"
                    + " definition, one rule and a reason. Allowed findings are reported but fail nothing.")
    Path allow;

    @Option(names = "--json", description = "Print the report as JSON instead of a text table.")
    boolean json;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", defaultValue = "HIGH",
            description = "Lowest finding severity that fails the scan: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Severity failOn;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time allowed for each request (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** One scanned definition with its findings and, with --pins, its comparison. */
    record Scanned(Definition definition, List<PoisoningFinding> findings, PinCheck.Entry pin,
                   List<Allowed> allowed) {
    }

    /** A finding the allow list accepts, with the entry that does. */
    record Allowed(PoisoningFinding finding, ScanAllowList.Entry entry) {
    }

    private static final String NPM = "npm:";
    /** The command of an {@code npm:} target, once installed. */
    private List<String> command;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 1) {
            err.println("ERROR: --timeout must be at least 1 second, was " + timeoutSeconds);
            return USAGE;
        }
        PinFile pinned = null;
        if (pins != null) {
            try {
                pinned = PinFile.read(pins);
            } catch (NoSuchFileException e) {
                err.println("ERROR: pin file " + pins + " does not exist");
                return USAGE;
            } catch (PinFileException e) {
                err.println("ERROR: " + e.getMessage());
                return USAGE;
            } catch (IOException e) {
                err.println("ERROR: cannot read pin file " + pins + ": " + e.getMessage());
                return USAGE;
            }
        }
        ScanAllowList allowList = ScanAllowList.NONE;
        if (allow != null) {
            try {
                allowList = ScanAllowList.read(allow);
            } catch (NoSuchFileException e) {
                err.println("ERROR: allow list " + allow + " does not exist");
                return USAGE;
            } catch (IllegalArgumentException e) {
                err.println("ERROR: " + e.getMessage());
                return USAGE;
            } catch (IOException e) {
                err.println("ERROR: cannot read allow list " + allow + ": " + e.getMessage());
                return USAGE;
            }
        }
        boolean http = target.size() == 1 && target.getFirst().matches("(?i)https?://.+");
        if (!http && target.size() == 1 && target.getFirst().matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            err.println("ERROR: only http:// and https:// URLs are supported, was " + target.getFirst());
            return USAGE;
        }
        if (token != null && !token.isBlank() && !http) {
            err.println("ERROR: --token applies to HTTP servers only");
            return USAGE;
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        PinFile.PackagePin packagePin = null;
        String packageName = null;
        if (!http && target.getFirst().startsWith(NPM)) {
            try {
                UpstreamConfig.NpmPackage pkg = UpstreamConfig.NpmPackage.of(target.getFirst().substring(NPM.length()),
                        target.subList(1, target.size()), packageCache != null ? packageCache
                                : UpstreamConfig.NpmPackage.defaultCache());
                Gateway.Installed installed = Gateway.install("scan", pkg);
                command = installed.command().command();
                String subject = installed.supply().subject().orElseThrow();
                packageName = pkg.name();
                packagePin = new PinFile.PackagePin(subject.substring(subject.lastIndexOf('@') + 1),
                        installed.supply().integrity().orElseThrow());
            } catch (IllegalArgumentException e) {
                err.println("ERROR: " + e.getMessage());
                return USAGE;
            } catch (GatewayException e) {
                err.println("ERROR: " + e.getMessage());
                return UNREACHABLE;
            }
        }
        List<Definition> definitions = new ArrayList<>();
        String protocol;
        try (McpClient client = connect(http, timeout)) {
            for (DefinitionKind kind : DefinitionKind.values()) {
                for (JsonNode item : client.list(listed(kind))) {
                    definitions.add(Definition.of(kind, item));
                }
            }
            protocol = client.protocolVersion();
        } catch (McpClientException e) {
            err.println("ERROR: " + explain(e));
            return UNREACHABLE;
        } catch (IllegalArgumentException e) {
            err.println("ERROR: the server listed a malformed definition: " + e.getMessage());
            return UNREACHABLE;
        }

        Map<Definition, List<PoisoningFinding>> findings = PoisoningScanner.standard().scanAll(definitions);
        List<Scanned> scanned = new ArrayList<>();
        java.util.Set<ScanAllowList.Entry> used = new java.util.HashSet<>();
        for (Definition d : definitions) {
            List<PoisoningFinding> open = new ArrayList<>();
            List<Allowed> allowed = new ArrayList<>();
            for (PoisoningFinding f : findings.get(d)) {
                ScanAllowList.Entry e = allowList.match(d.kind(), d.name(), f);
                if (e == null) {
                    open.add(f);
                } else {
                    allowed.add(new Allowed(f, e));
                    used.add(e);
                }
            }
            scanned.add(new Scanned(d, open, pinned == null ? null : PinCheck.compare(pinned, d), allowed));
        }
        // An entry that matches nothing is stale (the tool changed or went away): say so, so it gets removed.
        for (ScanAllowList.Entry e : allowList.entries()) {
            if (!used.contains(e)) {
                err.println("WARNING: allow list entry " + e.describe() + " matched no finding; remove it");
            }
        }
        List<PinCheck.Entry> removed = pinned == null ? List.of()
                : PinCheck.compare(pinned, definitions).with(PinCheck.Status.REMOVED);
        List<NameCollisions.Collision> collisions = NameCollisions.find(definitions);
        boolean failingFindings = scanned.stream().flatMap(s -> s.findings().stream())
                .anyMatch(f -> f.severity().atLeast(failOn));
        boolean pinMismatch = pinned != null && !PinCheck.compare(pinned, definitions).matches();
        int exit = failingFindings || pinMismatch || !collisions.isEmpty() ? FINDINGS : CLEAN;

        String wrote = null;
        if (writePins != null) {
            if ((failingFindings || !collisions.isEmpty()) && !force) {
                err.println("ERROR: not writing " + writePins + ": there are " + (failingFindings
                        ? "findings at or above " + failOn : "name collisions") + "; review them, or pass --force");
                exit = Math.max(exit, FINDINGS);
            } else {
                try {
                    PinFile written = PinFile.of(definitions);
                    if (packagePin != null) {
                        written = written.withPackage(packageName, packagePin);
                    }
                    written.write(writePins);
                    PinnedDefinitions archive = PinnedDefinitions.read(writePins);
                    archive.putAll(definitions);
                    archive.write();
                    wrote = writePins.toString();
                } catch (IOException | IllegalArgumentException e) {
                    err.println("ERROR: cannot write pin file " + writePins + ": " + e.getMessage());
                    return USAGE;
                }
            }
        }
        if (json) {
            out.println(Json.standard().text(jsonReport(protocol, scanned, removed, collisions, wrote, exit)));
        } else {
            textReport(out, protocol, scanned, removed, collisions, wrote, exit);
        }
        out.flush();
        return exit;
    }

    // ---- reports

    private String describeTarget() {
        return String.join(" ", target);
    }

    private ObjectNode jsonReport(String protocol, List<Scanned> scanned, List<PinCheck.Entry> removed,
                                  List<NameCollisions.Collision> collisions, String wrote, int exit) {
        ObjectNode r = Json.object();
        r.put("target", describeTarget());
        r.put("protocolVersion", protocol);
        ArrayNode defs = r.putArray("definitions");
        for (Scanned s : scanned) {
            ObjectNode d = defs.addObject();
            d.put("kind", s.definition().kind().pinKey());
            d.put("name", s.definition().name());
            d.put("digest", s.definition().digest());
            if (s.pin() != null) {
                d.put("pin", s.pin().status().name());
                if (s.pin().pinned() != null) {
                    d.put("pinnedDigest", s.pin().pinned());
                }
            }
            ArrayNode fs = d.putArray("findings");
            for (PoisoningFinding f : s.findings()) {
                fs.addObject().put("kind", f.kind().name()).put("severity", f.severity().name())
                        .put("location", f.location()).put("excerpt", f.excerpt()).put("message", f.message());
            }
            ArrayNode as = d.putArray("allowed");
            for (Allowed a : s.allowed()) {
                PoisoningFinding f = a.finding();
                as.addObject().put("kind", f.kind().name()).put("severity", f.severity().name())
                        .put("location", f.location()).put("excerpt", f.excerpt()).put("message", f.message())
                        .put("reason", a.entry().reason());
            }
        }
        ArrayNode rem = r.putArray("removed");
        removed.forEach(e -> rem.addObject().put("kind", e.kind().pinKey()).put("name", e.name())
                .put("pinnedDigest", e.pinned()));
        ArrayNode col = r.putArray("collisions");
        for (NameCollisions.Collision c : collisions) {
            ObjectNode o = col.addObject().put("kind", c.kind().pinKey()).put("reason", c.reason().name());
            c.names().forEach(o.putArray("names")::add);
        }
        ObjectNode summary = r.putObject("summary");
        counts(scanned).forEach((k, v) -> summary.put(k, v));
        findingCounts(scanned).forEach((sev, n) -> summary.put(sev.name(), n));
        if (wrote != null) {
            r.put("wrotePins", wrote);
        }
        r.put("exitCode", exit);
        return r;
    }

    private void textReport(PrintWriter out, String protocol, List<Scanned> scanned, List<PinCheck.Entry> removed,
                            List<NameCollisions.Collision> collisions, String wrote, int exit) {
        String shownTarget = describeTarget();
        if (shownTarget.length() > 120) {
            shownTarget = shownTarget.substring(0, 80) + " … " + shownTarget.substring(shownTarget.length() - 36);
        }
        out.println("warden scan " + shownTarget + " (protocol " + protocol + ")");
        boolean withPins = pins != null;
        for (DefinitionKind kind : DefinitionKind.values()) {
            List<Scanned> ofKind = scanned.stream().filter(s -> s.definition().kind() == kind).toList();
            out.println();
            out.println(heading(kind) + " (" + ofKind.size() + ")");
            if (ofKind.isEmpty()) {
                continue;
            }
            int width = Math.min(48, ofKind.stream().mapToInt(s -> shown(s.definition().name()).length()).max()
                    .orElse(4));
            for (Scanned s : ofKind) {
                StringBuilder line = new StringBuilder("  ");
                if (withPins) {
                    line.append(String.format("%-10s ", s.pin().status().name().toLowerCase(Locale.ROOT)));
                }
                line.append(pad(shown(s.definition().name()), width)).append("  ").append(s.definition().digest());
                out.println(line);
                for (PoisoningFinding f : s.findings()) {
                    out.println("      " + pad(f.severity().name(), 8) + " " + f.kind().name() + " at "
                            + (f.location().isEmpty() ? "/" : f.location()) + ": " + f.message());
                    out.println("               \"" + f.excerpt() + "\"");
                }
                for (Allowed a : s.allowed()) {
                    PoisoningFinding f = a.finding();
                    out.println("      allowed  " + f.severity().name() + " " + f.kind().name() + " at "
                            + (f.location().isEmpty() ? "/" : f.location()) + ": " + f.message() + " (reason: "
                            + a.entry().reason() + ")");
                }
            }
        }
        if (!removed.isEmpty()) {
            out.println();
            out.println("REMOVED (pinned but not listed)");
            removed.forEach(e -> out.println("  " + e.kind().pinKey() + " " + shown(e.name()) + "  " + e.pinned()));
        }
        if (!collisions.isEmpty()) {
            out.println();
            out.println("NAME COLLISIONS (refused)");
            collisions.forEach(c -> out.println("  " + c));
        }
        out.println();
        Map<String, Integer> counts = counts(scanned);
        StringBuilder summary = new StringBuilder("Summary: ").append(counts.get("tools")).append(" tools, ")
                .append(counts.get("prompts")).append(" prompts, ").append(counts.get("resourceTemplates"))
                .append(" resource templates; findings:");
        Map<Severity, Integer> f = findingCounts(scanned);
        boolean any = false;
        for (Severity s : Severity.values()) {
            if (f.get(s) > 0) {
                summary.append(any ? ", " : " ").append(f.get(s)).append(' ').append(s.name());
                any = true;
            }
        }
        if (!any) {
            summary.append(" none");
        }
        int allowedCount = scanned.stream().mapToInt(s -> s.allowed().size()).sum();
        if (allowedCount > 0) {
            summary.append(" (").append(allowedCount).append(" allowed)");
        }
        if (withPins) {
            Map<PinCheck.Status, Integer> p = new EnumMap<>(PinCheck.Status.class);
            for (PinCheck.Status st : PinCheck.Status.values()) {
                p.put(st, 0);
            }
            scanned.forEach(s -> p.merge(s.pin().status(), 1, Integer::sum));
            summary.append("; pins: ").append(p.get(PinCheck.Status.UNCHANGED)).append(" unchanged, ")
                    .append(p.get(PinCheck.Status.CHANGED)).append(" changed, ").append(p.get(PinCheck.Status.NEW))
                    .append(" new, ").append(removed.size()).append(" removed");
        }
        out.println(summary);
        if (wrote != null) {
            out.println("Wrote pin file " + wrote);
        }
        out.println(exit == CLEAN ? "Result: clean" : "Result: FAILED (exit " + exit + ")");
    }

    private static String heading(DefinitionKind kind) {
        return switch (kind) {
            case TOOL -> "TOOLS";
            case PROMPT -> "PROMPTS";
            case RESOURCE_TEMPLATE -> "RESOURCE TEMPLATES";
        };
    }

    private static Map<String, Integer> counts(List<Scanned> scanned) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (DefinitionKind k : DefinitionKind.values()) {
            m.put(k.pinKey(), (int) scanned.stream().filter(s -> s.definition().kind() == k).count());
        }
        return m;
    }

    private static Map<Severity, Integer> findingCounts(List<Scanned> scanned) {
        Map<Severity, Integer> m = new EnumMap<>(Severity.class);
        for (Severity s : Severity.values()) {
            m.put(s, 0);
        }
        scanned.forEach(s -> s.findings().forEach(f -> m.merge(f.severity(), 1, Integer::sum)));
        return m;
    }

    /** A name as printed: anything outside printable ASCII escaped, so look-alikes and invisibles show. */
    private static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) {
                sb.appendCodePoint(cp);
            } else {
                sb.append(cp > 0xFFFF ? String.format("\\u{%X}", cp) : String.format("\\u%04X", cp));
            }
        });
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    // ---- the MCP client side

    /** A client of the target, with the scan's name and timeout. */
    private McpClient connect(boolean http, Duration timeout) throws McpClientException {
        McpClient.Builder b = http ? McpClient.http(URI.create(target.getFirst()))
                .bearerToken(() -> Optional.ofNullable(token).filter(t -> !t.isBlank()))
                : McpClient.stdio(command == null ? target : command);
        // a scan reports every listed tool, also one a client would drop for a bad x-mcp-header annotation
        return b.clientInfo("warden-scan", "1").connectTimeout(timeout).requestTimeout(timeout)
                .dropInvalidTools(false).build();
    }

    private static McpClient.Kind listed(DefinitionKind kind) {
        return switch (kind) {
            case TOOL -> McpClient.Kind.TOOLS;
            case PROMPT -> McpClient.Kind.PROMPTS;
            case RESOURCE_TEMPLATE -> McpClient.Kind.RESOURCE_TEMPLATES;
        };
    }

    /** What to print for a failure: the client's own words, with advice where the scan has an option for it. */
    private String explain(McpClientException e) {
        return switch (e.reason()) {
            case HTTP_STATUS -> {
                String challenge = e.header("WWW-Authenticate").map(c -> " (WWW-Authenticate: " + c + ")")
                        .orElse("");
                if (e.httpStatus() == 401) {
                    yield target.getFirst() + " answered 401 Unauthorized" + (token == null || token.isBlank()
                            ? ": pass a bearer token with --token" : ": the token was rejected") + challenge;
                }
                if (e.httpStatus() >= 300 && e.httpStatus() < 400) {
                    yield e.getMessage() + "; scan the final URL";
                }
                yield e.getMessage();
            }
            case INPUT_REQUIRED -> e.getMessage().replace("a list cannot give", "a scan cannot give");
            default -> e.getMessage();
        };
    }

    /** Runs the command on its own (for tests and for embedding without {@code Main}). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new ScanCommand());
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }
}
