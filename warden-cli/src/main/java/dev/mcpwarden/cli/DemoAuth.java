package dev.mcpwarden.cli;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.mcpwarden.authserver.AuthServerConfig;
import dev.mcpwarden.authserver.AuthorizationServer;
import dev.mcpwarden.authserver.BuiltInUser;
import dev.mcpwarden.authserver.StaticClient;
import dev.mcpwarden.authserver.login.PasswordHash;
import dev.mcpwarden.examples.sample.SampleServer;
import dev.mcpwarden.security.oauth.Introspection;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The development setup shared by {@code warden demo} and {@code warden token}: the embedded authorization server
 * for one loopback origin, one development user, and a signing key kept in a state directory so that
 * {@code warden token} mints tokens the running demo accepts.
 */
final class DemoAuth {

    /** The development user: an admin of tenant {@code acme} in the sample help desk. */
    static final String USER = "demo";
    static final String KEY_FILE = "signing-key.jwk";
    /** The endpoint of the demo last started with this state directory, for {@code warden token}. */
    static final String ENDPOINT_FILE = "endpoint";
    /**
     * What a client gets when it asks for no scope, and what {@code warden token} mints by default: reading only.
     * Writing and deleting need {@code tickets:write}, which a client asks for when a tool answers 403
     * {@code insufficient_scope} (step-up), and the user approves on a new consent page.
     */
    static final Set<String> DEFAULT_SCOPES = Set.of("tickets:read");

    private DemoAuth() {
    }

    /** {@code $WARDEN_HOME/demo}, or {@code ~/.warden/demo}. */
    static Path defaultStateDir() {
        String home = System.getenv("WARDEN_HOME");
        return (home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".warden"))
                .resolve("demo");
    }

    /** The issuer of a demo on {@code port}: the loopback origin. */
    static URI issuer(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    static URI resource(int port) {
        return URI.create("http://127.0.0.1:" + port + "/mcp");
    }

    /** The client id the demo's resource server introspects tokens with. */
    static final String RESOURCE_SERVER = "demo-resource-server";

    /** The authorization server of a demo on {@code port}, signing with the state directory's key. */
    static AuthorizationServer authorizationServer(int port, String passwordHash, Path stateDir) throws IOException {
        return authorizationServer(port, passwordHash, stateDir, SharedState.of(null, null), null);
    }

    /**
     * The same, keeping its state where {@code shared} says (a Redis shared by replicas, or this process), with the
     * resource server's introspection credentials ({@link #RESOURCE_SERVER} and {@code resourceServerSecret}), or
     * none when null.
     */
    static AuthorizationServer authorizationServer(int port, String passwordHash, Path stateDir, SharedState shared,
                                                   String resourceServerSecret) throws IOException {
        return authorizationServer(port, passwordHash, stateDir, shared, resourceServerSecret, false);
    }

    /**
     * The same; with {@code loopbackClientMetadata} (DEVELOPMENT ONLY, warned about at start) client metadata
     * documents on loopback are fetched too, so a client on this machine can try CIMD against the demo.
     */
    static AuthorizationServer authorizationServer(int port, String passwordHash, Path stateDir, SharedState shared,
                                                   String resourceServerSecret, boolean loopbackClientMetadata)
            throws IOException {
        // a random 256-bit secret needs no costly hash: with SHA-256 its check skips the password-hashing gate, so
        // a flood of sign-ins, which fills the gate, cannot stop the resource server's introspection with it
        List<StaticClient> clients = resourceServerSecret == null ? List.of()
                : List.of(StaticClient.resourceServer(RESOURCE_SERVER,
                        dev.mcpwarden.authserver.client.SecretHash.ofRandomSecret(resourceServerSecret),
                        Set.of(resource(port).toString())));
        AuthServerConfig config = AuthServerConfig.defaults(issuer(port), Set.of(resource(port).toString()))
                .withScopes(SampleServer.SCOPES, DEFAULT_SCOPES)
                .withClients(clients)
                .withUsers(List.of(new BuiltInUser(USER, passwordHash,
                        Map.of("tenant", "acme", "roles", List.of("admin")))))
                .withInsecureAllowLoopbackClientMetadata(loopbackClientMetadata);
        AuthorizationServer.Builder as = AuthorizationServer.builder(config).signingKey(signingKey(stateDir));
        shared.authStore().ifPresent(as::store);
        shared.loginAttempts().ifPresent(as::loginAttempts);
        shared.authQuotas().ifPresent(as::rateLimiter);
        return as.build();
    }

    /**
     * A loopback port free right now, for servers whose URLs (issuer, resource, token audience) must name their port
     * before they start.
     */
    static int freeLoopbackPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static final String PASSWORD_FILE = "password";

    /**
     * The development user's password for replicas of one demo: read from the state directory, or created there
     * (readable by its owner only) by the first replica.
     */
    static String sharedPassword(Path stateDir) throws IOException {
        return shared(stateDir, PASSWORD_FILE, DemoAuth::newPassword);
    }

    static final String INTROSPECTION_SECRET_FILE = "introspection-secret";

    /**
     * The resource server's introspection secret for replicas of one demo, shared like the password: a replica's
     * resource server asks the authorization server at the public address, so whichever replica answers must know it.
     */
    static String sharedIntrospectionSecret(Path stateDir) throws IOException {
        return shared(stateDir, INTROSPECTION_SECRET_FILE, dev.mcpwarden.authserver.token.TokenService::randomToken);
    }

    /** A secret in {@code name} of the state directory: read, or created there by the first of replicas at once. */
    private static String shared(Path stateDir, String name, java.util.function.Supplier<String> fresh)
            throws IOException {
        Path file = stateDir.resolve(name);
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(file + " is not a regular file; delete it to start over");
            }
            try {
                if (!Files.getPosixFilePermissions(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        .equals(PosixFilePermissions.fromString("rw-------"))) {
                    throw new IOException(file + " may be read by others than its owner (chmod 600 it, or delete it "
                            + "to start over)");
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own permissions apply
            }
            String p = Files.readString(file).strip();
            if (p.length() >= 16) {
                return p;
            }
            throw new IOException(file + " holds no secret of 16 characters or more; delete it to start over");
        }
        Files.createDirectories(stateDir);
        String password = fresh.get();
        Path tmp = Files.createTempFile(stateDir, name, ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own permissions apply
        }
        Files.writeString(tmp, password);
        try {
            Files.createLink(file, tmp); // fails if it exists: of replicas starting at once, one writes it
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return shared(stateDir, name, fresh);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return password;
    }

    /** A fresh random password for one run of the demo. */
    static String newPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            p.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return p.toString();
    }

    /**
     * The demo resource server's introspection settings: it asks the authorization server, at the issuer's own
     * address (the public port: the authorization server answers only requests naming it, and replicas share its
     * store), about every token of the issuer, so that a revoked token stops working within five seconds.
     */
    static Introspection introspection(int publicPort, String secret) {
        return new Introspection(URI.create(issuer(publicPort) + "/introspect"),
                issuer(publicPort).toString(), RESOURCE_SERVER, secret, java.time.Duration.ofSeconds(5),
                java.time.Duration.ofSeconds(5), Introspection.When.ALWAYS);
    }

    static String hash(String password) {
        return PasswordHash.hash(password.toCharArray());
    }

    /**
     * The demo's signing key: read from the state directory, or created there (readable by its owner only) by the
     * first of replicas starting at once, whose key the others then read: each signing with a key of its own, one
     * replica's tokens would fail at the others.
     */
    static JWK signingKey(Path stateDir) throws IOException {
        Path file = stateDir.resolve(KEY_FILE);
        if (Files.exists(file)) {
            try {
                JWK key = JWK.parse(Files.readString(file));
                if (!key.isPrivate()) {
                    throw new IOException(file + " holds a public key; delete it to start over");
                }
                return key;
            } catch (ParseException e) {
                throw new IOException("cannot read the demo signing key " + file + ": " + e.getMessage()
                        + " (delete it to start over)", e);
            }
        }
        Files.createDirectories(stateDir);
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IOException("cannot generate a signing key: " + e.getMessage(), e);
        }
        Path tmp = Files.createTempFile(stateDir, "key", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own permissions apply
        }
        Files.writeString(tmp, key.toJSONString());
        try {
            Files.createLink(file, tmp); // fails if it exists: of replicas starting at once, one key wins, for all
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return signingKey(stateDir);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return key;
    }
}
