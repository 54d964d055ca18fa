package dev.mcpwarden.authserver;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A client registered in the configuration. Public when it has no secret (it then uses PKCE alone), confidential
 * otherwise.
 *
 * @param clientId     the client identifier
 * @param name         the name shown on the consent page
 * @param redirectUris registered redirect URIs (https, or http on a loopback address); may be empty for a
 *                     client that only uses the client credentials grant
 * @param secretHash   a hash of the client secret (Argon2id PHC string; for a generated 256-bit secret, which
 *                     needs no costly hash, {@code SecretHash.ofRandomSecret}'s form), or null for a public client
 * @param grantTypes   grants the client may use: authorization_code, refresh_token, client_credentials,
 *                     urn:ietf:params:oauth:grant-type:token-exchange; none for a resource server that only
 *                     introspects tokens (see {@link #resourceServer})
 * @param scopes       scopes the client may obtain with the client credentials grant
 * @param introspects  the resources (token audiences) whose tokens this client may introspect (RFC 7662): a resource
 *                     server names its own; about a token for any other resource it learns only
 *                     {@code "active": false}. Empty: the client may not introspect at all.
 */
public record StaticClient(String clientId, String name, List<String> redirectUris, String secretHash,
                           Set<String> grantTypes, Set<String> scopes, Set<String> introspects) {

    public static final Set<String> GRANTS = Set.of("authorization_code", "refresh_token", "client_credentials",
            "urn:ietf:params:oauth:grant-type:token-exchange");

    public StaticClient {
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isBlank() || clientId.startsWith("https://") || clientId.startsWith("http://")) {
            throw new IllegalArgumentException("clientId must be non-blank and not a URL (URLs are metadata "
                    + "document clients), was '" + clientId + "'");
        }
        name = name == null || name.isBlank() ? clientId : name;
        redirectUris = List.copyOf(redirectUris);
        for (String r : redirectUris) {
            String why = dev.mcpwarden.authserver.client.RedirectUris.whyInvalid(r);
            if (why != null) {
                throw new IllegalArgumentException("client " + clientId + ": redirect URI " + r + " " + why);
            }
        }
        grantTypes = Set.copyOf(grantTypes);
        if (grantTypes.isEmpty() && secretHash == null || !GRANTS.containsAll(grantTypes)) {
            throw new IllegalArgumentException("client " + clientId + ": grantTypes must be a non-empty subset of "
                    + GRANTS + " (empty only for a resource server, which has a secret), was " + grantTypes);
        }
        if (secretHash != null && !secretHash.startsWith("$argon2id$") && !secretHash.startsWith("sha256:")) {
            throw new IllegalArgumentException("client " + clientId + ": secretHash must be an Argon2id PHC string "
                    + "(or, for a generated secret of 256 bits, SecretHash.ofRandomSecret's sha256: form)");
        }
        if (secretHash == null && (grantTypes.contains("client_credentials")
                || grantTypes.contains("urn:ietf:params:oauth:grant-type:token-exchange"))) {
            throw new IllegalArgumentException("client " + clientId
                    + ": client_credentials and token exchange need a confidential client (a secret)");
        }
        if (grantTypes.contains("authorization_code") && redirectUris.isEmpty()) {
            throw new IllegalArgumentException("client " + clientId + ": authorization_code needs redirect URIs");
        }
        scopes = Set.copyOf(scopes);
        introspects = Set.copyOf(introspects);
        if (!introspects.isEmpty() && secretHash == null) {
            throw new IllegalArgumentException("client " + clientId + ": introspection needs a confidential client "
                    + "(a secret)");
        }
    }

    /** A client that may not introspect tokens. */
    public StaticClient(String clientId, String name, List<String> redirectUris, String secretHash,
                        Set<String> grantTypes, Set<String> scopes) {
        this(clientId, name, redirectUris, secretHash, grantTypes, scopes, Set.of());
    }

    /** A public client using the authorization code grant with refresh tokens. */
    public static StaticClient publicClient(String clientId, String name, List<String> redirectUris) {
        return new StaticClient(clientId, name, redirectUris, null, Set.of("authorization_code", "refresh_token"),
                Set.of());
    }

    /** A confidential client using the client credentials grant for the given scopes. */
    public static StaticClient service(String clientId, String secretHash, Set<String> scopes) {
        return new StaticClient(clientId, clientId, List.of(), secretHash, Set.of("client_credentials"), scopes);
    }

    /**
     * A resource server's own credentials: a confidential client with no grant at all, which may only call the
     * introspection endpoint (RFC 7662) to learn whether a token for one of {@code resources} (its own) is still
     * active. About any other token it learns only {@code "active": false}.
     */
    public static StaticClient resourceServer(String clientId, String secretHash, Set<String> resources) {
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("resource server " + clientId + ": name the resources whose tokens it "
                    + "may introspect");
        }
        return new StaticClient(clientId, clientId, List.of(), Objects.requireNonNull(secretHash, "secretHash"),
                Set.of(), Set.of(), resources);
    }

    /** Whether the client has no secret (it authenticates with PKCE alone). */
    public boolean isPublic() {
        return secretHash == null;
    }
}
