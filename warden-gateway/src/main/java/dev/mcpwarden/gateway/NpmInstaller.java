package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Installs an {@link UpstreamConfig.NpmPackage} into its cache directory and checks it at every start:
 *
 * <ol>
 *   <li>{@code package.json} names exactly the package and version; {@code npm install --package-lock-only
 *       --ignore-scripts} writes {@code package-lock.json} once, and every package in it must carry a SHA-512
 *       integrity (the lockfile is then kept: later starts install from it, whatever was published since);</li>
 *   <li>{@code npm ci --ignore-scripts} installs from the lockfile, npm verifying each tarball against its integrity
 *       and running no install script;</li>
 *   <li>the registry's signatures are verified ({@link RegistrySignatures});</li>
 *   <li>{@code .warden-installed.json} records the digest of every installed file and of the lockfile; at each later
 *       start the tree is read again and must match, so a changed, added or removed file refuses the upstream.</li>
 * </ol>
 */
final class NpmInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(NpmInstaller.class);
    static final String RECORD = ".warden-installed.json";
    private static final long NPM_TIMEOUT_MINUTES = 10;
    /** A package tree bigger than this is not what an MCP server needs, and is not read whole at every start. */
    private static final int MAX_FILES = 200_000;

    /** The command that runs the installed package, and what was verified of it. */
    record Installed(UpstreamConfig.Stdio stdio, UpstreamSupply supply) {
    }

    private NpmInstaller() {
    }

    static Installed install(String upstream, UpstreamConfig.NpmPackage p) throws GatewayException {
        if (!p.pinned()) {
            if (!p.allowUnpinned()) {
                throw new GatewayException("upstream " + upstream + ": the package " + p.spec() + " is not pinned to "
                        + "one version (a range or a tag such as latest installs whatever is published next); name "
                        + "an exact version, such as " + p.name() + "@1.2.3, or allow it unpinned (warned about)");
            }
            LOG.warn("UNPINNED PACKAGE for upstream {}: {} is installed as it resolves now; its lockfile then pins "
                    + "that version until {} is removed", upstream, p.spec(), directory(p));
        }
        Path dir = directory(p);
        try {
            Files.createDirectories(dir);
            Path npm = p.npm().orElseGet(() -> onPath("npm").orElse(Path.of("npm")));
            Path record = dir.resolve(RECORD);
            if (Files.exists(record)) {
                return verifyInstalled(upstream, p, dir, record);
            }
            return freshInstall(upstream, p, dir, npm);
        } catch (IOException e) {
            throw new GatewayException("upstream " + upstream + ": the package " + p.spec() + " could not be "
                    + "installed in " + dir + ": " + e.getMessage(), e);
        } catch (tools.jackson.core.JacksonException e) {
            // a record, lockfile or manifest that is not JSON: as changed as a file can be
            throw new GatewayException("upstream " + upstream + ": the package " + p.spec() + " in " + dir
                    + " has a file that is not valid JSON (" + e.getOriginalMessage() + "); it is not started. Remove "
                    + dir + " to install it again", e);
        }
    }

    /** One directory per package and version: {@code @scope/name@1.2.3} is {@code @scope+name@1.2.3}. */
    static Path directory(UpstreamConfig.NpmPackage p) {
        String v = p.version().replaceAll("[^0-9A-Za-z.+-]", "_");
        return p.cache().resolve(p.name().replace('/', '+') + "@" + v);
    }

    private static Installed freshInstall(String upstream, UpstreamConfig.NpmPackage p, Path dir, Path npm)
            throws IOException, GatewayException {
        ObjectNode manifest = Json.object();
        manifest.put("name", "warden-upstream-" + upstream);
        manifest.put("private", true);
        manifest.putObject("dependencies").put(p.name(), p.version());
        Path packageJson = dir.resolve("package.json");
        Path lockfile = dir.resolve("package-lock.json");
        if (!Files.exists(lockfile)) {
            Files.writeString(packageJson, Json.standard().mapper().writeValueAsString(manifest) + "\n");
            npm(upstream, npm, dir, "install", "--package-lock-only");
        } else if (!Json.standard().parse(Files.readString(packageJson)).path("dependencies").equals(
                manifest.path("dependencies"))) {
            throw new GatewayException("upstream " + upstream + ": " + packageJson + " does not name exactly "
                    + p.spec() + "; remove " + dir + " to install it again");
        }
        Locked locked = checkLockfile(upstream, p, lockfile);
        // Nothing half-installed counts: a tree from an interrupted npm ci is replaced as a whole.
        npm(upstream, npm, dir, "ci");
        Tree tree = Tree.read(dir);
        String signatures = RegistrySignatures.verify(upstream, npm, dir, locked.packages());
        ObjectNode rec = Json.object();
        rec.put("package", p.name());
        rec.put("version", locked.version());
        rec.put("integrity", locked.integrity());
        rec.put("lockfile", sha256(Files.readAllBytes(lockfile)));
        rec.put("tree", tree.digest());
        rec.put("signatures", signatures);
        ObjectNode files = rec.putObject("files");
        tree.files().forEach(files::put);
        Path tmp = dir.resolve(RECORD + ".tmp");
        Files.writeString(tmp, Json.standard().mapper().writeValueAsString(rec));
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("upstream {}: installed {}@{} ({}) into {}: {} files, tree {}; registry signatures: {}", upstream,
                p.name(), locked.version(), locked.integrity(), dir, tree.files().size(), tree.digest(), signatures);
        return installed(upstream, p, dir, locked.version(), locked.integrity(), tree.digest(), signatures);
    }

    private static Installed verifyInstalled(String upstream, UpstreamConfig.NpmPackage p, Path dir, Path record)
            throws IOException, GatewayException {
        JsonNode rec = Json.standard().parse(Files.readString(record));
        Locked locked = checkLockfile(upstream, p, dir.resolve("package-lock.json"));
        if (!sha256(Files.readAllBytes(dir.resolve("package-lock.json"))).equals(rec.path("lockfile").asString())
                || !locked.integrity().equals(rec.path("integrity").asString())) {
            throw tampered(upstream, p, dir, "package-lock.json differs from the one it was installed from");
        }
        Tree tree = Tree.read(dir);
        Map<String, String> recorded = new TreeMap<>();
        rec.path("files").properties().forEach(e -> recorded.put(e.getKey(), e.getValue().asString()));
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            String now = tree.files().get(e.getKey());
            if (now == null) {
                throw tampered(upstream, p, dir, e.getKey() + " was removed");
            }
            if (!now.equals(e.getValue())) {
                throw tampered(upstream, p, dir, e.getKey() + " differs");
            }
        }
        for (String f : tree.files().keySet()) {
            if (!recorded.containsKey(f)) {
                throw tampered(upstream, p, dir, f + " was added");
            }
        }
        if (!tree.digest().equals(rec.path("tree").asString())) {
            throw tampered(upstream, p, dir, "the record's tree digest does not match its files");
        }
        return installed(upstream, p, dir, locked.version(), locked.integrity(), tree.digest(),
                rec.path("signatures").asString("not checked"));
    }

    private static GatewayException tampered(String upstream, UpstreamConfig.NpmPackage p, Path dir, String what) {
        return new GatewayException("upstream " + upstream + ": the installed package " + p.spec() + " in " + dir
                + " was changed since it was installed (" + what + "); it is not started. Remove " + dir
                + " to install it again from its lockfile");
    }

    private static Installed installed(String upstream, UpstreamConfig.NpmPackage p, Path dir, String version,
                                       String integrity, String tree, String signatures) throws IOException,
            GatewayException {
        if (signatures.startsWith("invalid") || signatures.startsWith("missing")) {
            throw new GatewayException("upstream " + upstream + ": the registry's signatures of " + p.spec()
                    + " do not verify: " + signatures);
        }
        Path root = dir.resolve("node_modules").resolve(p.name());
        String program = program(upstream, p, root);
        Path node = p.node().orElseGet(() -> p.npm().map(n -> n.toAbsolutePath().getParent().resolve("node"))
                .filter(Files::isExecutable).or(() -> onPath("node")).orElse(Path.of("node")));
        List<String> command = new ArrayList<>();
        command.add(node.toString());
        command.add(root.resolve(program).normalize().toString());
        command.addAll(p.arguments());
        UpstreamConfig.Stdio stdio = new UpstreamConfig.Stdio(command, p.environment(), Optional.empty(),
                p.sandbox());
        return new Installed(stdio, new UpstreamSupply("npm", Optional.of(p.name() + "@" + version), p.pinned(),
                Optional.of(integrity), Optional.of(tree), signatures));
    }

    /** The program a package's {@code bin} names: its only one, or the one named as the package. */
    private static String program(String upstream, UpstreamConfig.NpmPackage p, Path root) throws IOException,
            GatewayException {
        JsonNode bin = Json.standard().parse(Files.readString(root.resolve("package.json"))).path("bin");
        String unscoped = p.name().substring(p.name().indexOf('/') + 1);
        String program = null;
        if (bin.isString()) {
            program = bin.asString();
        } else if (bin.isObject() && bin.size() == 1) {
            program = bin.properties().iterator().next().getValue().asString();
        } else if (bin.isObject() && bin.has(unscoped)) {
            program = bin.path(unscoped).asString();
        }
        if (program == null || program.isBlank()) {
            throw new GatewayException("upstream " + upstream + ": the package " + p.spec() + " names no single "
                    + "program to run (its package.json bin)");
        }
        if (!root.resolve(program).normalize().startsWith(root)) {
            throw new GatewayException("upstream " + upstream + ": the package " + p.spec() + " names a program "
                    + "outside itself: " + program);
        }
        return program;
    }

    /** The resolved top package and every package's integrity, from a lockfile the gateway accepts. */
    record Locked(String version, String integrity, Map<String, Locked.Entry> packages) {
        record Entry(String name, String version, String integrity) {
        }
    }

    static Locked checkLockfile(String upstream, UpstreamConfig.NpmPackage p, Path lockfile) throws IOException,
            GatewayException {
        JsonNode lock = Json.standard().parse(Files.readString(lockfile));
        String problem = null;
        if (lock.path("lockfileVersion").asInt(0) < 2) {
            problem = "it is not a lockfile of npm 7 or later (lockfileVersion 2 or 3)";
        }
        Map<String, Locked.Entry> packages = new TreeMap<>();
        JsonNode all = lock.path("packages");
        for (var e : all.properties()) {
            if (problem != null || e.getKey().isEmpty()) {
                continue;
            }
            JsonNode entry = e.getValue();
            if (entry.path("link").asBoolean(false) || !e.getKey().contains("node_modules/")) {
                problem = e.getKey() + " is not a registry package (a link or a local path)";
                continue;
            }
            String integrity = entry.path("integrity").asString("");
            if (!integrity.startsWith("sha512-")) {
                problem = e.getKey() + " has no SHA-512 integrity";
                continue;
            }
            String name = entry.path("name").asString(e.getKey().substring(e.getKey().lastIndexOf("node_modules/")
                    + "node_modules/".length()));
            packages.put(e.getKey(), new Locked.Entry(name, entry.path("version").asString(""), integrity));
        }
        JsonNode top = all.path("node_modules/" + p.name());
        if (problem == null && top.isMissingNode()) {
            problem = "it does not hold " + p.name();
        } else if (problem == null && p.pinned() && !top.path("version").asString("").equals(p.version())) {
            problem = "it holds " + p.name() + "@" + top.path("version").asString("");
        } else if (problem == null && p.integrity().isPresent()
                && !p.integrity().get().equals(top.path("integrity").asString(""))) {
            problem = p.name() + "@" + top.path("version").asString("") + " has the integrity "
                    + top.path("integrity").asString("") + ", and its pin is " + p.integrity().get();
        }
        if (problem != null) {
            throw new GatewayException("upstream " + upstream + ": the lockfile " + lockfile + " of " + p.spec()
                    + " is refused: " + problem);
        }
        return new Locked(top.path("version").asString(), top.path("integrity").asString(), packages);
    }

    /**
     * Runs npm in {@code dir}, never running a package's install scripts and never auditing by itself, and gives
     * what it printed (at most 64 KiB).
     */
    static String npm(String upstream, Path npm, Path dir, String... args) throws IOException, GatewayException {
        List<String> command = new ArrayList<>(List.of(npm.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            throw new GatewayException("upstream " + upstream + ": npm could not be started (" + npm
                    + "); install npm or configure its path", e);
        }
        byte[] out;
        try (InputStream in = proc.getInputStream()) {
            out = in.readNBytes(64 * 1024);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        try {
            if (!proc.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                proc.destroyForcibly();
                throw new GatewayException("upstream " + upstream + ": npm " + args[0] + " did not finish within "
                        + NPM_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GatewayException("upstream " + upstream + ": interrupted while npm " + args[0] + " ran");
        }
        if (proc.exitValue() != 0) {
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String last = text.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            throw new GatewayException("upstream " + upstream + ": npm " + args[0] + " failed with exit code "
                    + proc.exitValue() + (last.isEmpty() ? "" : ": " + last));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty()) {
                Path candidate = Path.of(d, program);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The installed files under {@code node_modules} by path (a symbolic link by where it points), and a digest of
     * them all: the record compared at each start.
     */
    record Tree(Map<String, String> files, String digest) {

        static Tree read(Path dir) throws IOException, GatewayException {
            Path modules = dir.resolve("node_modules");
            Map<String, String> files = new TreeMap<>();
            if (Files.isDirectory(modules)) {
                try (Stream<Path> walk = Files.walk(modules)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        if (files.size() > MAX_FILES) {
                            throw new GatewayException("the package tree in " + dir + " holds more than " + MAX_FILES
                                    + " files");
                        }
                        String rel = dir.relativize(f).toString();
                        if (Files.isSymbolicLink(f)) {
                            files.put(rel, "link:" + Files.readSymbolicLink(f));
                        } else if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                            MessageDigest d = newSha256();
                            try (InputStream in = Files.newInputStream(f)) {
                                byte[] buf = new byte[64 * 1024];
                                for (int n; (n = in.read(buf)) > 0; ) {
                                    d.update(buf, 0, n);
                                }
                            }
                            files.put(rel, "sha256:" + HexFormat.of().formatHex(d.digest()));
                        }
                    }
                }
            }
            MessageDigest all = newSha256();
            files.forEach((k, v) -> all.update((k + "\0" + v + "\n").getBytes(StandardCharsets.UTF_8)));
            return new Tree(files, "sha256:" + HexFormat.of().formatHex(all.digest()));
        }
    }
}
