package dev.mcpwarden.security.integrity;

import dev.mcpwarden.core.json.CanonicalJson;
import dev.mcpwarden.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The digest of a definition: SHA-256 over the UTF-8 bytes of the RFC 8785 canonical JSON ({@link CanonicalJson};
 * see {@link #canonical}) of the definition's pinned fields ({@link DefinitionKind#pinnedFields()}), written
 * {@code sha256:<64 lower-case hex>}.
 *
 * <p>Only the pinned fields count, so a server may change {@code _meta} or icons without a re-pin; everything in
 * a pinned field counts except member order and number spelling (numbers count by value), and strings count by
 * their exact code points (no Unicode normalisation: a Cyrillic {@code а} in place of a Latin {@code a}, or an added
 * zero-width space, is a change). A pinned field that is absent or {@code null} is left out, so {@code "title": null}
 * and no title hash alike.
 */
public final class DefinitionDigest {

    /** The prefix of every digest this version writes. */
    public static final String PREFIX = "sha256:";
    private static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");

    private DefinitionDigest() {
    }

    /** The digest of a definition of the given kind, as listed by a server. */
    public static String of(DefinitionKind kind, JsonNode definition) {
        return ofCanonical(canonical(kind, definition));
    }

    /** The canonical JSON text the digest is computed over. */
    public static String canonical(DefinitionKind kind, JsonNode definition) {
        return CanonicalJson.of(pinnedView(kind, definition));
    }

    /** The pinned fields of a definition, as a new object (the input is not modified). */
    public static ObjectNode pinnedView(DefinitionKind kind, JsonNode definition) {
        if (definition == null || !definition.isObject()) {
            throw new IllegalArgumentException("a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " definition must be a JSON object");
        }
        ObjectNode view = Json.object();
        for (String field : kind.pinnedFields()) {
            JsonNode v = definition.get(field);
            if (v != null && !v.isNull() && !v.isMissingNode()) {
                view.set(field, v);
            }
        }
        return view;
    }

    /** Whether {@code text} is a digest in the format this version writes. */
    public static boolean isWellFormed(String text) {
        return text != null && FORMAT.matcher(text).matches();
    }

    /** SHA-256 of the canonical text's UTF-8 bytes, written {@code sha256:<hex>}. */
    static String ofCanonical(String canonicalText) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonicalText.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
