package dev.mcpwarden.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a stdio upstream's command inside bubblewrap: every namespace new (so no network unless granted, and its own
 * process tree), the system directories and the command's own tree read-only, a private {@code /tmp}, nothing of the
 * user's home, no capabilities; processes and memory limited by a cgroup, CPU time by {@code RLIMIT_CPU}.
 */
final class BubblewrapSandbox {

    private static final Logger LOG = LoggerFactory.getLogger(BubblewrapSandbox.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** What a program needs of /etc to start (the dynamic linker, users, certificates, time zone). */
    private static final List<String> ETC = List.of("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
            "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/localtime", "/etc/ssl",
            "/etc/ca-certificates", "/etc/java-17-openjdk", "/etc/java-21-openjdk", "/etc/java-25-openjdk");
    /** With the network granted, also name resolution. */
    private static final List<String> ETC_NETWORK = List.of("/etc/resolv.conf", "/etc/hosts", "/etc/host.conf",
            "/etc/gai.conf");
    private static final List<String> SYSTEM = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");
    /** Files whose directory is a package root: what a command's own tree is. */
    private static final List<String> PACKAGE_MARKERS = List.of("node_modules", "package.json", "pyproject.toml",
            "setup.py", ".venv");
    private static final int PACKAGE_ROOT_LEVELS = 6;

    /** The command that runs the upstream in its sandbox, and the cgroups to remove once it has exited. */
    record Wrapped(List<String> command, List<Path> cgroups) {
    }

    private BubblewrapSandbox() {
    }

    static Wrapped wrap(String upstream, List<String> command, Optional<Path> workingDirectory,
                        UpstreamConfig.Sandbox.Bubblewrap policy) throws GatewayException {
        Path bwrap = onPath("bwrap").orElseThrow(() -> new GatewayException("upstream " + upstream + " runs in the "
                + "bubblewrap sandbox, and bwrap is not installed (Debian package bubblewrap); install it, or "
                + "configure the upstream without a sandbox (which warns)"));
        Path program = program(upstream, command.getFirst(), workingDirectory);
        List<String> args = new ArrayList<>(List.of(bwrap.toString(), "--die-with-parent", "--new-session",
                "--unshare-all", "--cap-drop", "ALL"));
        if (policy.network()) {
            args.add("--share-net");
        }
        args.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String dir : SYSTEM) {
            Path p = Path.of(dir);
            if (Files.isSymbolicLink(p)) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
                } catch (IOException e) {
                    throw new GatewayException("cannot read the link " + dir + ": " + e.getMessage(), e);
                }
            } else if (Files.isDirectory(p)) {
                args.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (String f : ETC) {
            args.addAll(List.of("--ro-bind-try", f, f));
        }
        if (policy.network()) {
            for (String f : ETC_NETWORK) {
                args.addAll(List.of("--ro-bind-try", f, f));
            }
        }
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        Set<Path> tree = ownTree(command, program, workingDirectory);
        for (Path p : tree) {
            args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        for (Path p : policy.readOnly()) {
            args.addAll(List.of("--ro-bind", p.toString(), p.toString()));
        }
        for (Path p : policy.readWrite()) {
            args.addAll(List.of("--bind", p.toString(), p.toString()));
        }
        workingDirectory.ifPresent(d -> args.addAll(List.of("--chdir", d.toAbsolutePath().normalize().toString())));
        args.add("--");
        if (!policy.maxCpu().isZero()) {
            long seconds = Math.max(1, policy.maxCpu().toSeconds());
            args.addAll(List.of("/usr/bin/prlimit", "--cpu=" + seconds + ":" + seconds, "--"));
        }
        args.add(program.toString());
        args.addAll(command.subList(1, command.size()));
        List<Path> cgroups = cgroups(upstream, policy);
        if (cgroups.isEmpty()) {
            return new Wrapped(List.copyOf(args), List.of());
        }
        // The shell joins the cgroups before it becomes bwrap, so every process of the sandbox is counted in them.
        StringBuilder script = new StringBuilder();
        for (Path g : cgroups) {
            script.append("echo $$ > '").append(g.resolve("cgroup.procs")).append("' || exit 126; ");
        }
        script.append("exec \"$@\"");
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "sh"));
        wrapped.addAll(args);
        return new Wrapped(List.copyOf(wrapped), cgroups);
    }

    /** The program, found on PATH when it names no directory. */
    private static Path program(String upstream, String name, Optional<Path> workingDirectory)
            throws GatewayException {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!p.isAbsolute()) {
                p = workingDirectory.orElse(Path.of("")).toAbsolutePath().resolve(p);
            }
            if (!Files.isExecutable(p)) {
                throw new GatewayException("upstream " + upstream + ": " + name + " is not an executable file");
            }
            return p.normalize();
        }
        return onPath(name).orElseThrow(() -> new GatewayException("upstream " + upstream + ": " + name
                + " is not on the PATH"));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * The command's own tree: the directory of its program and of every argument that is an existing file (the
     * script a runtime runs), each widened to the package root above it; every argument that is an existing
     * directory (what a server is told to serve, as server-filesystem is), as it is; and the working directory.
     * System directories, the file system's root and the home directory itself are never bound whole.
     */
    static Set<Path> ownTree(List<String> command, Path program, Optional<Path> workingDirectory) {
        Path base = workingDirectory.orElse(Path.of("")).toAbsolutePath();
        List<Path> starts = new ArrayList<>();
        List<Path> named = new ArrayList<>();
        starts.add(program);
        for (String arg : command.subList(1, command.size())) {
            if (arg.startsWith("-") || arg.isEmpty()) {
                continue;
            }
            Path p = base.resolve(arg);
            if (Files.isRegularFile(p)) {
                starts.add(p);
            } else if (Files.isDirectory(p)) {
                named.add(p);
            }
        }
        Set<Path> tree = new LinkedHashSet<>();
        for (Path start : starts) {
            Path dir = real(start).getParent();
            if (dir != null && !covered(dir)) {
                tree.add(packageRoot(dir));
            }
        }
        for (Path dir : named) {
            Path d = real(dir);
            if (!covered(d)) {
                tree.add(d);
            }
        }
        workingDirectory.map(d -> real(d.toAbsolutePath())).filter(d -> !covered(d)).ifPresent(tree::add);
        return tree;
    }

    private static Path packageRoot(Path dir) {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath();
        Path found = dir;
        Path p = dir;
        for (int i = 0; i < PACKAGE_ROOT_LEVELS && p != null; i++, p = p.getParent()) {
            if (p.getParent() == null || p.equals(home)) {
                break;
            }
            Path candidate = p;
            if (PACKAGE_MARKERS.stream().anyMatch(m -> Files.exists(candidate.resolve(m)))) {
                found = candidate;
            }
        }
        return found;
    }

    /** Under /usr, bound already; or a directory never bound whole. */
    private static boolean covered(Path dir) {
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath();
        return dir.startsWith("/usr") || dir.getParent() == null || dir.equals(home);
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /**
     * A cgroup per controller the host lets the gateway write (cgroup v2, or v1's pids and memory hierarchies),
     * with the sandbox's limits set; none, with a warning, where there is no writable cgroup.
     */
    private static List<Path> cgroups(String upstream, UpstreamConfig.Sandbox.Bubblewrap policy) {
        String name = "warden-gateway-" + upstream + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet();
        Path root = Path.of("/sys/fs/cgroup");
        List<Path> made = new ArrayList<>();
        try {
            String v2 = Files.isRegularFile(root.resolve("cgroup.controllers"))
                    ? Files.readString(root.resolve("cgroup.controllers")) : "";
            if (v2.contains("pids")) {
                Path g = Files.createDirectory(root.resolve(name));
                made.add(g);
                Files.writeString(g.resolve("pids.max"), String.valueOf(policy.maxProcesses()));
                if (policy.maxMemory() > 0 && v2.contains("memory")) {
                    Files.writeString(g.resolve("memory.max"), String.valueOf(policy.maxMemory()));
                }
                return List.copyOf(made);
            }
            if (Files.isWritable(root.resolve("pids"))) {
                Path g = Files.createDirectory(root.resolve("pids").resolve(name));
                made.add(g);
                Files.writeString(g.resolve("pids.max"), String.valueOf(policy.maxProcesses()));
                if (policy.maxMemory() > 0 && Files.isWritable(root.resolve("memory"))) {
                    Path m = Files.createDirectory(root.resolve("memory").resolve(name));
                    made.add(m);
                    Files.writeString(m.resolve("memory.limit_in_bytes"), String.valueOf(policy.maxMemory()));
                }
                return List.copyOf(made);
            }
        } catch (IOException | RuntimeException e) {
            remove(made);
            LOG.warn("upstream {}: cannot make a cgroup for its process and memory limits ({}); its sandbox has "
                    + "no such limits", upstream, e.getMessage());
            return List.of();
        }
        LOG.warn("upstream {}: no writable cgroup on this host; its sandbox has no process or memory limit",
                upstream);
        return List.of();
    }

    /** Removes the cgroups of an exited sandbox (a cgroup with processes left cannot be removed: tried a while). */
    static void remove(List<Path> cgroups) {
        for (Path g : cgroups.reversed()) {
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    Files.deleteIfExists(g);
                    break;
                } catch (IOException e) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
