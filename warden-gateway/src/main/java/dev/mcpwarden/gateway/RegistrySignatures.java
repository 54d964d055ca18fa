package dev.mcpwarden.gateway;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import tools.jackson.databind.JsonNode;

/**
 * The registry's ECDSA signatures of each package in a lockfile, verified as {@code npm audit signatures} verifies
 * them: the registry publishes its keys at {@code /-/npm/v1/keys}, and each version's {@code dist.signatures} signs
 * {@code name@version:integrity}. A registry that publishes no keys offers no signatures: the result says so
 * ({@code unavailable: ...}), and the install goes on, as npm's does; a signature that does not verify, or a package
 * without one where the registry signs, refuses the upstream. Provenance attestations ({@code dist.attestations})
 * are counted; verifying them needs Sigstore's transparency log, which the gateway does not reach.
 */
final class RegistrySignatures {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int PARALLEL = 8;

    private RegistrySignatures() {
    }

    /** The result for the packages of a lockfile in {@code dir}: {@code verified ...}, {@code invalid: ...}, ... */
    static String verify(String upstream, Path npm, Path dir, Map<String, NpmInstaller.Locked.Entry> packages)
            throws IOException, GatewayException {
        String registry = NpmInstaller.npm(upstream, npm, dir, "config", "get", "registry").strip();
        if (!registry.endsWith("/")) {
            registry += "/";
        }
        return verify(URI.create(registry), packages.values());
    }

    static String verify(URI registry, java.util.Collection<NpmInstaller.Locked.Entry> packages) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            Map<String, PublicKey> keys;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(registry.resolve("-/npm/v1/keys"))
                        .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return "unavailable: the registry " + registry + " publishes no signing keys (HTTP "
                            + r.statusCode() + ")";
                }
                keys = keys(Json.standard().parse(r.body()));
            } catch (IOException | RuntimeException | GeneralSecurityException e) {
                return "unavailable: the registry's signing keys could not be read (" + e.getClass().getSimpleName()
                        + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unavailable: interrupted";
            }
            if (keys.isEmpty()) {
                return "unavailable: the registry " + registry + " publishes no signing keys";
            }
            List<String> invalid = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            int verified = 0;
            int attested = 0;
            Semaphore permits = new Semaphore(PARALLEL);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> results = new ArrayList<>();
                for (NpmInstaller.Locked.Entry p : packages) {
                    results.add(pool.submit(() -> {
                        permits.acquire();
                        try {
                            return check(http, registry, keys, p);
                        } finally {
                            permits.release();
                        }
                    }));
                }
                int i = 0;
                List<NpmInstaller.Locked.Entry> list = List.copyOf(packages);
                for (Future<String> f : results) {
                    NpmInstaller.Locked.Entry p = list.get(i++);
                    String r;
                    try {
                        r = f.get();
                    } catch (Exception e) {
                        r = "missing";
                    }
                    switch (r) {
                        case "verified+attested" -> {
                            verified++;
                            attested++;
                        }
                        case "verified" -> verified++;
                        case "invalid" -> invalid.add(p.name() + "@" + p.version());
                        default -> missing.add(p.name() + "@" + p.version());
                    }
                }
            }
            if (!invalid.isEmpty()) {
                return "invalid: " + String.join(", ", invalid.subList(0, Math.min(5, invalid.size())))
                        + (invalid.size() > 5 ? " and " + (invalid.size() - 5) + " more" : "");
            }
            if (!missing.isEmpty()) {
                return "missing: " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                        + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : "")
                        + " carry no registry signature";
            }
            return "verified (" + verified + " packages; " + attested + " with provenance attestations, not verified)";
        }
    }

    private static Map<String, PublicKey> keys(JsonNode doc) throws GeneralSecurityException {
        Map<String, PublicKey> out = new HashMap<>();
        KeyFactory ec = KeyFactory.getInstance("EC");
        for (JsonNode k : doc.path("keys")) {
            if (k.path("keytype").asString("").equals("ecdsa-sha2-nistp256")) {
                out.put(k.path("keyid").asString(), ec.generatePublic(new X509EncodedKeySpec(
                        Base64.getDecoder().decode(k.path("key").asString()))));
            }
        }
        return out;
    }

    /** {@code verified}, {@code verified+attested}, {@code invalid} or {@code missing}. */
    private static String check(HttpClient http, URI registry, Map<String, PublicKey> keys,
                                NpmInstaller.Locked.Entry p) throws IOException, InterruptedException {
        String path = (p.name().startsWith("@") ? "@" + URLEncoder.encode(p.name().substring(1), StandardCharsets.UTF_8)
                : URLEncoder.encode(p.name(), StandardCharsets.UTF_8)) + "/"
                + URLEncoder.encode(p.version(), StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(registry.resolve(path)).timeout(TIMEOUT).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return "missing";
        }
        JsonNode dist = Json.standard().parse(r.body()).path("dist");
        if (!dist.path("integrity").asString("").equals(p.integrity())) {
            return "invalid"; // the registry serves another tarball than the lockfile pinned
        }
        byte[] message = (p.name() + "@" + p.version() + ":" + p.integrity()).getBytes(StandardCharsets.UTF_8);
        boolean any = false;
        for (JsonNode s : dist.path("signatures")) {
            PublicKey key = keys.get(s.path("keyid").asString(""));
            if (key == null) {
                continue;
            }
            any = true;
            try {
                Signature v = Signature.getInstance("SHA256withECDSA");
                v.initVerify(key);
                v.update(message);
                if (!v.verify(Base64.getDecoder().decode(s.path("sig").asString("")))) {
                    return "invalid";
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return "invalid";
            }
        }
        if (!any) {
            return "missing";
        }
        return dist.path("attestations").isObject() ? "verified+attested" : "verified";
    }
}
