package dev.mcpwarden.redis;

import dev.mcpwarden.authserver.store.ConsentKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The store's records as JSON (Jackson, records by their components; instants as ISO-8601, exact). */
final class Records {

    private final JsonMapper mapper = JsonMapper.builder()
            // derived accessors such as Client.isPublic() may be written; they are not components to read back
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    String write(Object record) {
        return mapper.writeValueAsString(record);
    }

    <T> T read(String json, Class<T> type) {
        return mapper.readValue(json, type);
    }

    /**
     * A consent's key: a digest of its parts in an unambiguous form (a JSON array, scopes sorted), so that the
     * same consent always finds the same key and no subject name appears in a key.
     */
    String digest(ConsentKey key) {
        String[] scopes = key.scopes().toArray(String[]::new);
        Arrays.sort(scopes);
        String canonical = write(Arrays.asList(key.subject(), key.clientId(), List.of(scopes), key.resource()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
