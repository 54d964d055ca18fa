package dev.mcpwarden.server.prompt;

import java.util.List;
import java.util.Map;

/**
 * Suggests values for a prompt or resource-template argument ({@code completion/complete}). At most 100 values
 * are sent.
 */
@FunctionalInterface
public interface Completer {
    List<String> complete(String argument, String prefix, Map<String, String> otherArguments);
}
