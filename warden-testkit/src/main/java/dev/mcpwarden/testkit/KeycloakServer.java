package dev.mcpwarden.testkit;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A real Keycloak, run from the distribution the build unpacks into the testing module's {@code target/keycloak}
 * (maven-dependency-plugin execution {@code unpack-keycloak} of each module whose tests use it), in dev mode on a free loopback port with an in-memory database
 * and one imported realm. Nothing is downloaded at test time. The server runs on the JDK running the tests.
 */
public final class KeycloakServer implements AutoCloseable {

    /** How long Keycloak may take to answer (the first start re-augments the distribution: 40-90 s on 2 cores). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(
            Long.getLong("keycloak.startTimeoutSeconds", 240));

    private final Process process;
    private final Path log;
    private final String issuer;
    private final Thread reaper;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Duration startup;
    private URI tokenEndpoint;

    private KeycloakServer(Process process, Path log, String issuer) {
        this.process = process;
        this.log = log;
        this.issuer = issuer;
        this.reaper = new Thread(this::kill, "keycloak-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts Keycloak with {@code realmJson} (a realm named {@code realm}) and waits until the realm answers. */
    public static KeycloakServer start(String realm, String realmJson) throws IOException, InterruptedException {
        Path dist = distribution();
        int port = freePort();
        Path imports = dist.resolve("data/import");
        if (Files.exists(imports)) {
            try (Stream<Path> old = Files.list(imports)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(imports);
        Files.writeString(imports.resolve(realm + "-realm.json"), realmJson, StandardCharsets.UTF_8);
        Path log = dist.getParent().resolve("keycloak.log");

        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
        String base = "http://127.0.0.1:" + port;
        List<String> command = new ArrayList<>(List.of(
                dist.resolve(windows ? "bin/kc.bat" : "bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port,
                "--hostname=" + base,                   // fixes the issuer, whatever Host a request carries
                "--db=dev-mem",                         // nothing persists between runs: the realm is imported fresh
                "--cache=local",                        // no cluster, no JGroups discovery on the network
                "--health-enabled=false", "--metrics-enabled=false", // no management interface (port 9000)
                "--import-realm", "--log-console-color=false"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dist.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KC_") || k.startsWith("KEYCLOAK_") || k.startsWith("QUARKUS_")
                || k.startsWith("JAVA_OPTS") || k.equals("JAVA_ADD_OPENS") || k.equals("JAVA_LOCALE")
                || k.equals("JAVA") || k.equals("DEBUG") || k.equals("DEBUG_PORT"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        Path tmp = Files.createDirectories(dist.resolve("data/tmp"));
        if (!tmp.toString().matches(".*\\s.*")) {   // kc.sh splits JAVA_OPTS on blanks
            env.put("JAVA_OPTS_APPEND", "-Djava.io.tmpdir=" + tmp);   // Vert.x's file cache stays in target/ too
        }

        long t0 = System.nanoTime();
        KeycloakServer kc = new KeycloakServer(pb.start(), log, base + "/realms/" + realm);
        kc.process.getOutputStream().close();
        try {
            kc.awaitRealm();
        } catch (Throwable e) {
            kc.close();
            throw new AssertionError("Keycloak did not serve realm " + realm + " (" + e.getMessage() + "); its log:\n"
                    + kc.log(), e);
        }
        kc.startup = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("Keycloak " + version(dist) + " answered at " + kc.issuer + " after "
                + kc.startup.toMillis() + " ms");
        return kc;
    }

    /** The unpacked distribution: the {@code keycloak.dist} property set by the build, else any in target/. */
    public static Path distribution() throws IOException {
        String configured = System.getProperty("keycloak.dist");
        if (configured != null && Files.isRegularFile(Path.of(configured, "bin/kc.sh"))) {
            return Path.of(configured).toAbsolutePath();
        }
        Path unpacked = Path.of("target/keycloak");
        if (Files.isDirectory(unpacked)) {
            try (Stream<Path> dirs = Files.list(unpacked)) {
                List<Path> found = dirs.filter(d -> Files.isRegularFile(d.resolve("bin/kc.sh"))).sorted().toList();
                if (!found.isEmpty()) {
                    return found.getLast().toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("Keycloak distribution not found (keycloak.dist=" + configured + "): the "
                + "build unpacks it; run `./mvnw -pl warden-security process-test-resources` or `./mvnw verify`");
    }

    private static String version(Path dist) {
        try {
            return Files.readString(dist.resolve("version.txt")).trim().replace("Keycloak - Version ", "");
        } catch (IOException e) {
            return "(unknown version)";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void awaitRealm() throws IOException, InterruptedException {
        URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with code " + process.exitValue());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    JsonNode doc = Json.standard().parse(r.body());
                    if (!issuer.equals(doc.get("issuer").asString())) {
                        throw new IllegalStateException("the realm names issuer " + doc.get("issuer"));
                    }
                    tokenEndpoint = URI.create(doc.get("token_endpoint").asString());
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("no OpenID configuration at " + discovery + " within " + START_TIMEOUT
                + " (last: " + last + ")");
    }

    /** The realm's issuer, exactly as Keycloak writes it into {@code iss}. */
    public String issuer() {
        return issuer;
    }

    public Duration startup() {
        return startup;
    }

    public URI tokenEndpoint() {
        return tokenEndpoint;
    }

    /** A token from the client credentials grant (a confidential client's service account). */
    public String clientCredentials(String clientId, String secret) throws IOException, InterruptedException {
        return token(tokenEndpoint, clientId, secret, Map.of("grant_type", "client_credentials"));
    }

    /** A token from the resource owner password grant of a public client. */
    public String password(String clientId, String user, String password, String scope)
            throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        form.put("username", user);
        form.put("password", password);
        if (scope != null) {
            form.put("scope", scope);
        }
        return token(tokenEndpoint, null, null, form);
    }

    /** Posts a token request; returns the access token. */
    public String token(URI endpoint, String clientId, String secret, Map<String, String> form)
            throws IOException, InterruptedException {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (clientId != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (enc(clientId) + ":" + enc(secret)).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("token request " + form.get("grant_type") + " failed: HTTP " + r.statusCode()
                    + " " + r.body());
        }
        return Json.standard().parse(r.body()).get("access_token").asString();
    }

    /** GETs a JSON document. */
    public JsonNode getJson(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + uri + ": HTTP " + r.statusCode());
        }
        return Json.standard().parse(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** What Keycloak has logged so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops Keycloak: the launcher script and the JVM it started, gracefully, then forcibly. */
    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook runs anyway
        }
    }

    private void kill() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
