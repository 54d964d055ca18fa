package dev.mcpwarden.server.http;

import tools.jackson.databind.JsonNode;

/** A JSON document served with GET beside the MCP endpoint, such as OAuth protected resource metadata. */
@FunctionalInterface
public interface JsonRoute {
    JsonNode document();
}
