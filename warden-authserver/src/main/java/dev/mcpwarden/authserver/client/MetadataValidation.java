package dev.mcpwarden.authserver.client;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.openid.connect.sdk.rp.OIDCClientMetadata;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.minidev.json.JSONObject;

/**
 * Checks shared by dynamic registration and metadata documents: the JSON must be valid client metadata (parsed by
 * the Nimbus SDK), and the fields this server relies on must be of the kinds it supports.
 */
final class MetadataValidation {

    static final Set<String> USER_GRANTS = Set.of("authorization_code", "refresh_token");

    private MetadataValidation() {
    }

    /** A metadata problem; {@code error} is an RFC 7591 error code. */
    static final class Invalid extends Exception {
        final String error;

        Invalid(String error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    /** The checked fields. */
    record Checked(String name, List<String> redirectUris, Set<String> grantTypes, String authMethod,
                   String applicationType) {
    }

    static Checked check(JSONObject json, Set<String> allowedAuthMethods, String defaultAuthMethod) throws Invalid {
        List<String> redirects = strings(json, "redirect_uris");
        if (redirects == null || redirects.isEmpty()) {
            throw new Invalid("invalid_redirect_uri", "redirect_uris must list at least one URI");
        }
        for (String r : redirects) {
            String why = RedirectUris.whyInvalid(r);
            if (why != null) {
                throw new Invalid("invalid_redirect_uri", "redirect URI " + clip(r) + " " + why);
            }
        }
        // the redirect URIs first, with this server's precise messages; then the library's structural check
        try {
            OIDCClientMetadata.parse(json);
        } catch (ParseException e) {
            throw new Invalid("invalid_client_metadata", "client metadata is not valid: " + safe(e.getMessage()));
        }
        List<String> grants = strings(json, "grant_types");
        Set<String> grantTypes = grants == null ? Set.of("authorization_code") : new LinkedHashSet<>(grants);
        if (!USER_GRANTS.containsAll(grantTypes) || !grantTypes.contains("authorization_code")) {
            throw new Invalid("invalid_client_metadata",
                    "grant_types must include authorization_code and may add refresh_token only");
        }
        List<String> responseTypes = strings(json, "response_types");
        if (responseTypes != null && !List.of("code").equals(responseTypes)) {
            throw new Invalid("invalid_client_metadata", "response_types must be [\"code\"]");
        }
        String method = json.get("token_endpoint_auth_method") instanceof String s ? s : defaultAuthMethod;
        if (!allowedAuthMethods.contains(method)) {
            throw new Invalid("invalid_client_metadata", "token_endpoint_auth_method must be one of "
                    + new java.util.TreeSet<>(allowedAuthMethods));
        }
        boolean allLoopback = redirects.stream().allMatch(r -> r.startsWith("http://"));
        String type = json.get("application_type") instanceof String s ? s : (allLoopback ? "native" : "web");
        if (!type.equals("native") && !type.equals("web")) {
            throw new Invalid("invalid_client_metadata", "application_type must be native or web");
        }
        if (type.equals("web") && !allHttps(redirects)) {
            throw new Invalid("invalid_redirect_uri", "web clients must use https redirect URIs; "
                    + "use application_type native for loopback redirects");
        }
        String name = json.get("client_name") instanceof String s ? clean(s) : null;
        return new Checked(name, List.copyOf(redirects), Set.copyOf(grantTypes), method, type);
    }

    private static boolean allHttps(List<String> uris) {
        return uris.stream().allMatch(u -> u.startsWith("https://"));
    }

    static List<String> strings(Map<String, Object> json, String key) throws Invalid {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new Invalid("invalid_client_metadata", key + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new Invalid("invalid_client_metadata", key + " must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    /** A display name without control or bidirectional-override characters, at most 80 characters. */
    static String clean(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT)
                .forEach(b::appendCodePoint);
        String s = b.toString().strip();
        return s.isEmpty() ? null : s.length() > 80 ? s.substring(0, 80) : s;
    }

    static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** Library messages may quote input; keep them short and single-line. */
    static String safe(String message) {
        if (message == null) {
            return "malformed";
        }
        return clip(message.replaceAll("\\s+", " "));
    }
}
