/**
 * Warden's gateway: the same security pipeline as the runtime, in front of MCP servers Warden did not write, in any
 * language, over Streamable HTTP (either protocol era) or stdio. {@link dev.mcpwarden.gateway.Gateway} connects the
 * upstreams described by {@link dev.mcpwarden.gateway.UpstreamConfig}s and federates their definitions into one
 * {@link dev.mcpwarden.server.backend.Backend}, which an {@link dev.mcpwarden.server.McpServer} serves behind its
 * controls. The client's credential never goes upstream: an upstream sees only the credential its configuration names.
 */
package dev.mcpwarden.gateway;
