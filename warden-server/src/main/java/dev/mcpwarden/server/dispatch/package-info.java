/**
 * The request as stages see it ({@link dev.mcpwarden.server.dispatch.Call}, with its
 * {@link dev.mcpwarden.server.dispatch.Outbound} stream and {@link dev.mcpwarden.server.dispatch.ChangeListener}),
 * the protocol records read from a request ({@link dev.mcpwarden.server.dispatch.Handshake},
 * {@link dev.mcpwarden.server.dispatch.ModernMeta}), and the runtime's own backend,
 * {@link dev.mcpwarden.server.dispatch.LocalBackend}: the one public entry point to the catalog and the dispatcher
 * behind it, which are not public.
 */
package dev.mcpwarden.server.dispatch;
