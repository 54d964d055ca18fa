package dev.mcpwarden.security.oauth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where an issuer's signing keys come from: fixed, or fetched from its key set URL (found in its metadata when not
 * configured). Fetched keys are cached; an unknown key id triggers a refresh, but no more often than the configured
 * minimum interval, so forged key ids cannot make Warden hammer the issuer.
 */
final class IssuerKeys {

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 5_000;
    private static final int SIZE_LIMIT = 256 * 1024;

    private IssuerKeys() {
    }

    /** What is known of an issuer's keys now, for readiness: fixed, not fetched yet, fetched, or failing. */
    static final class State {
        private volatile String state;

        State(String initial) {
            this.state = initial;
        }

        String get() {
            return state;
        }
    }

    static JWKSource<SecurityContext> source(TrustedIssuer issuer, Duration refreshMinimum) {
        return source(issuer, refreshMinimum, new State("unknown"));
    }

    /** The issuer's keys, recording into {@code state} whether the last fetch worked. */
    static JWKSource<SecurityContext> source(TrustedIssuer issuer, Duration refreshMinimum, State state) {
        if (issuer.keys() != null) {
            state.state = "fixed";
            return new ImmutableJWKSet<>(issuer.keys());
        }
        state.state = "not fetched yet";
        ResourceRetriever retriever = new DefaultResourceRetriever(CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS, SIZE_LIMIT);
        JWKSetSource<SecurityContext> fetch = issuer.jwksUri() != null
                ? new URLBasedJWKSetSource<>(toUrl(issuer.jwksUri()), retriever)
                : new Discovering(issuer.issuer(), retriever);
        JWKSetSource<SecurityContext> watched = new JWKSetSource<>() {
            @Override
            public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long now, SecurityContext context)
                    throws KeySourceException {
                try {
                    JWKSet keys = fetch.getJWKSet(refresh, now, context);
                    state.state = "fetched";
                    return keys;
                } catch (KeySourceException | RuntimeException e) {
                    state.state = "failing";
                    throw e;
                }
            }

            @Override
            public void close() throws IOException {
                fetch.close();
            }
        };
        return JWKSourceBuilder.create(watched)
                .cache(Duration.ofMinutes(10).toMillis(), Duration.ofSeconds(15).toMillis())
                .rateLimited(Math.max(1, refreshMinimum.toMillis()))
                .retrying(false)
                .build();
    }

    private static URL toUrl(URI uri) {
        try {
            return uri.toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad key set URL: " + uri, e);
        }
    }

    /** Finds {@code jwks_uri} in the issuer's metadata on first use, then fetches keys from it. */
    private static final class Discovering implements JWKSetSource<SecurityContext> {
        private final String issuer;
        private final ResourceRetriever retriever;
        private volatile URLBasedJWKSetSource<SecurityContext> delegate;

        Discovering(String issuer, ResourceRetriever retriever) {
            this.issuer = issuer;
            this.retriever = retriever;
        }

        @Override
        public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long now, SecurityContext context)
                throws KeySourceException {
            URLBasedJWKSetSource<SecurityContext> d = delegate;
            if (d == null) {
                d = new URLBasedJWKSetSource<>(toUrl(URI.create(jwksUri())), retriever);
                delegate = d;
            }
            return d.getJWKSet(refresh, now, context);
        }

        private String jwksUri() throws KeySourceException {
            for (String url : metadataUrls(issuer)) {
                try {
                    Resource r = retriever.retrieveResource(toUrl(URI.create(url)));
                    Map<String, Object> doc = JSONObjectUtils.parse(r.getContent());
                    if (!issuer.equals(doc.get("issuer"))) {
                        throw new KeySourceException("metadata at " + url + " names another issuer");
                    }
                    Object jwks = doc.get("jwks_uri");
                    if (jwks instanceof String s && !s.isBlank()) {
                        return s;
                    }
                } catch (IOException | java.text.ParseException e) {
                    // try the next well-known location
                }
            }
            throw new KeySourceException("could not find jwks_uri in the metadata of " + issuer);
        }

        @Override
        public void close() throws IOException {
            URLBasedJWKSetSource<SecurityContext> d = delegate;
            if (d != null) {
                d.close();
            }
        }
    }

    /** RFC 8414 (well-known inserted before the issuer's path), then OpenID discovery (appended). */
    static List<String> metadataUrls(String issuer) {
        URI u = URI.create(issuer);
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String origin = u.getScheme() + "://" + u.getRawAuthority();
        return List.of(origin + "/.well-known/oauth-authorization-server" + path,
                origin + path + "/.well-known/openid-configuration");
    }
}
