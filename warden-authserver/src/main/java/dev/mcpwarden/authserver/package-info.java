/** The embedded OAuth 2.1 authorization server. */
package dev.mcpwarden.authserver;
