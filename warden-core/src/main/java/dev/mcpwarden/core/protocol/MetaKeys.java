package dev.mcpwarden.core.protocol;

/** Reserved {@code _meta} keys. */
public final class MetaKeys {
    public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    public static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
    public static final String SERVER_INFO = "io.modelcontextprotocol/serverInfo";
    /**
     * Warden's own: on a 2025 server-to-client request, the key its handler gave the input, which a gateway uses as
     * the key of the 2026 {@code inputRequests} entry it becomes.
     */
    public static final String INPUT_KEY = "dev.mcpwarden/inputKey";
    public static final String PROGRESS_TOKEN = "progressToken";

    private MetaKeys() {
    }
}
