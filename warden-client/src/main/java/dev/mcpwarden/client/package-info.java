/**
 * Warden's MCP client: {@link dev.mcpwarden.client.McpClient} talks to one MCP server over Streamable HTTP or stdio,
 * on the stateless 2026-07-28 wire or in a 2025-11-25 session; failures are
 * {@link dev.mcpwarden.client.McpClientException}s. Everything else here is package-private.
 */
package dev.mcpwarden.client;
