package dev.mcpwarden.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What the gateway checks of an upstream's program before it starts it: a package is installed from its lockfile
 * and its installed tree verified ({@link NpmInstaller}); a command's program is compared with its pinned digest.
 */
final class SupplyChecks {

    /** The upstream as it is started (a package: the command that runs it), and what was verified. */
    record Checked(UpstreamConfig config, UpstreamSupply supply) {
    }

    private SupplyChecks() {
    }

    static Checked check(UpstreamConfig u) throws GatewayException {
        return switch (u.transport()) {
            case UpstreamConfig.NpmPackage p -> {
                NpmInstaller.Installed installed = NpmInstaller.install(u.name(), p);
                yield new Checked(u.withTransport(installed.stdio()), installed.supply());
            }
            case UpstreamConfig.Stdio s when s.programDigest().isPresent() -> {
                Path program = program(u.name(), s);
                String digest = digest(u.name(), program);
                if (!digest.equals(s.programDigest().get())) {
                    throw new GatewayException("upstream " + u.name() + ": the program " + program + " has the "
                            + "digest " + digest + ", and its pin is " + s.programDigest().get() + "; it is not "
                            + "started");
                }
                yield new Checked(u, new UpstreamSupply("file", Optional.of(program.toString()), true,
                        Optional.of(digest), Optional.empty(), "not applicable"));
            }
            default -> new Checked(u, UpstreamSupply.NONE);
        };
    }

    /** The program's file: as named with a directory (against the working directory), else found on PATH. */
    static Path program(String upstream, UpstreamConfig.Stdio s) throws GatewayException {
        String first = s.command().getFirst();
        Optional<Path> found = first.contains("/")
                ? Optional.of(s.workingDirectory().map(d -> d.resolve(first)).orElse(Path.of(first)))
                : NpmInstaller.onPath(first);
        Path p = found.filter(Files::isRegularFile).orElseThrow(() -> new GatewayException("upstream " + upstream
                + ": its program " + first + " was not found, so its pinned digest cannot be checked"));
        return p.toAbsolutePath().normalize();
    }

    /** {@code sha256:} and the hex SHA-256 of the file (a symbolic link's target). */
    static String digest(String upstream, Path file) throws GatewayException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new GatewayException("upstream " + upstream + ": its program " + file + " could not be read", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
