package dev.mcpwarden.authserver.client;

/** How a client came to be known. */
public enum ClientKind {
    /** Listed in the configuration by the operator. */
    PRE_REGISTERED,
    /** Registered itself at /register (RFC 7591). */
    DYNAMIC,
    /** Its id is the https URL of its metadata document (CIMD). */
    METADATA_DOCUMENT
}
