package dev.mcpwarden.authserver.client;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import dev.mcpwarden.authserver.store.AuthStore;
import dev.mcpwarden.core.json.Json;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Set;
import net.minidev.json.JSONObject;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Dynamic client registration (RFC 7591). Redirect URIs must be https or loopback http, {@code web} clients https
 * only; clients choosing {@code client_secret_basic} or {@code client_secret_post} get a generated secret, stored
 * only as a hash. The client name is kept but always shown as unverified.
 */
public final class ClientRegistrar {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> METHODS = Set.of("none", "client_secret_basic", "client_secret_post");

    /** A refused registration: an RFC 7591 error code and a description. */
    public static final class Refused extends Exception {
        private final String error;

        Refused(String error, String message) {
            super(message, null, false, false);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    private final AuthStore store;
    private final InstantSource clock;
    private final java.time.Duration unusedTtl;

    /** @param unusedTtl how long a registration is kept if no token is ever issued to it */
    public ClientRegistrar(AuthStore store, InstantSource clock, java.time.Duration unusedTtl) {
        this.store = store;
        this.clock = clock;
        this.unusedTtl = unusedTtl;
    }

    /** Registers the client described by {@code body} and returns the registration response. */
    public ObjectNode register(String body) throws Refused {
        JSONObject json;
        try {
            json = JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw new Refused("invalid_client_metadata", "the request body must be a JSON object");
        }
        if (json.containsKey("client_id") || json.containsKey("client_secret")) {
            throw new Refused("invalid_client_metadata", "client_id and client_secret are assigned by the server");
        }
        MetadataValidation.Checked m;
        try {
            // RFC 7591 §2: the default method is client_secret_basic
            m = MetadataValidation.check(json, METHODS, "client_secret_basic");
        } catch (MetadataValidation.Invalid e) {
            throw new Refused(e.error, e.getMessage());
        }
        String id = "dcr_" + random(18);
        String secret = m.authMethod().equals("none") ? null : random(32);
        String name = m.name() == null ? "Unnamed client" : m.name();
        // a short first life: the token service extends it when the client is used (see AuthStore#extendClient)
        store.putClient(new Client(id, name, m.redirectUris(), ClientKind.DYNAMIC,
                secret == null ? null : SecretHash.ofRandomSecret(secret), m.grantTypes(), Set.of(),
                m.applicationType()), clock.instant().plus(unusedTtl));

        ObjectNode out = Json.object();
        out.put("client_id", id);
        out.put("client_id_issued_at", clock.instant().getEpochSecond());
        if (secret != null) {
            out.put("client_secret", secret);
            out.put("client_secret_expires_at", 0);
        }
        out.put("client_name", name);
        ArrayNode redirects = out.putArray("redirect_uris");
        m.redirectUris().forEach(redirects::add);
        ArrayNode grants = out.putArray("grant_types");
        m.grantTypes().stream().sorted().forEach(grants::add);
        out.putArray("response_types").add("code");
        out.put("token_endpoint_auth_method", m.authMethod());
        out.put("application_type", m.applicationType());
        return out;
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
