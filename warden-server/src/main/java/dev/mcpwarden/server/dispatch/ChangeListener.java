package dev.mcpwarden.server.dispatch;

import tools.jackson.databind.node.ObjectNode;

/** Told when lists change or a resource is updated, so transports can notify subscribers. */
@FunctionalInterface
public interface ChangeListener {

    /** Kinds of change, each with the notification that announces it. */
    enum Kind {
        TOOLS("notifications/tools/list_changed", "toolsListChanged"),
        PROMPTS("notifications/prompts/list_changed", "promptsListChanged"),
        RESOURCES("notifications/resources/list_changed", "resourcesListChanged"),
        RESOURCE_UPDATED("notifications/resources/updated", "resourceSubscriptions");

        private final String method;
        private final String filterKey;

        Kind(String method, String filterKey) {
            this.method = method;
            this.filterKey = filterKey;
        }

        public String method() {
            return method;
        }

        /** The key of {@code subscriptions/listen}'s filter that asks for this kind. */
        public String filterKey() {
            return filterKey;
        }
    }

    /** {@code uri} is set only for {@link Kind#RESOURCE_UPDATED}. */
    void changed(Kind kind, String uri);

    /** The notification params for a change. */
    static ObjectNode params(Kind kind, String uri) {
        ObjectNode p = dev.mcpwarden.core.json.Json.object();
        if (uri != null) {
            p.put("uri", uri);
        }
        return p;
    }
}
