package dev.mcpwarden.server.backend;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.core.protocol.MetaKeys;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ChangeListener;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The 2026 {@code subscriptions/listen} request, served the same way for any backend's definitions. */
public final class Subscriptions {

    /** Task ids a stage honours for this listen (the tasks extension), echoed in the acknowledgement. */
    public static final Call.Attribute<tools.jackson.databind.node.ArrayNode> TASK_IDS = new Call.Attribute<>(
            "listen-task-ids", tools.jackson.databind.node.ArrayNode.class);
    /** Counted down once the acknowledgement was sent, so a stage's own notifications never come before it. */
    public static final Call.Attribute<CountDownLatch> ACKNOWLEDGED = new Call.Attribute<>("listen-acknowledged",
            CountDownLatch.class);

    private Subscriptions() {
    }

    /**
     * Serves a 2026 {@code subscriptions/listen} on {@code call}'s stream until the client goes: the acknowledgement
     * of what of its filter the capabilities honour, then each change a listener added with {@code add} is told of.
     * The runtime's local backend and the gateway's federated one serve their definitions' changes with it.
     */
    public static ObjectNode listen(Call call, ObjectNode capabilities,
                                    java.util.function.Consumer<ChangeListener> add,
                                    java.util.function.Consumer<ChangeListener> remove) {
        JsonNode filter = call.params().path("notifications");
        ObjectNode honoured = Json.object();
        for (ChangeListener.Kind kind : ChangeListener.Kind.values()) {
            JsonNode v = filter.get(kind.filterKey());
            if (v == null) {
                continue;
            }
            if (kind == ChangeListener.Kind.RESOURCE_UPDATED && v.isArray() && capabilities.path("resources").has("subscribe")) {
                honoured.set(kind.filterKey(), v);
            } else if (kind != ChangeListener.Kind.RESOURCE_UPDATED && v.asBoolean(false) && capabilities.has(
                    capabilityOf(kind))) {
                honoured.put(kind.filterKey(), true);
            }
        }
        if (call.attribute(TASK_IDS) != null) {
            honoured.set("taskIds", call.attribute(TASK_IDS));
        }
        JsonNode subscriptionId = call.request().id();
        CountDownLatch done = new CountDownLatch(1);
        Set<String> uris = new java.util.HashSet<>();
        honoured.path("resourceSubscriptions").forEach(u -> uris.add(u.asString()));
        CountDownLatch acknowledged = new CountDownLatch(1);
        ChangeListener listener = (kind, uri) -> {
            boolean wanted = kind == ChangeListener.Kind.RESOURCE_UPDATED ? uris.contains(uri)
                    : honoured.path(kind.filterKey()).asBoolean(false);
            if (wanted && !call.cancelled()) {
                ObjectNode p = ChangeListener.params(kind, uri);
                p.putObject("_meta").set(MetaKeys.SUBSCRIPTION_ID, subscriptionId);
                try {
                    acknowledged.await(); // the acknowledgement is always the first message
                    call.outbound().notify(kind.method(), p);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    done.countDown();
                }
            }
        };
        // Listen before acknowledging: a change right after the client sees the ack must not be lost.
        add.accept(listener);
        try {
            ObjectNode ack = Json.object();
            ack.set("notifications", honoured);
            ack.putObject("_meta").set(MetaKeys.SUBSCRIPTION_ID, subscriptionId);
            try {
                call.outbound().notify("notifications/subscriptions/acknowledged", ack);
            } finally {
                acknowledged.countDown();
                CountDownLatch theirs = call.attribute(ACKNOWLEDGED);
                if (theirs != null) {
                    theirs.countDown();
                }
            }
            while (!call.cancelled()) {
                if (done.await(15, java.util.concurrent.TimeUnit.SECONDS)) {
                    break;
                }
                call.outbound().notify(null, null); // keep-alive: detects a client that went away
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            remove.accept(listener);
        }
        ObjectNode r = Json.object();
        r.putObject("_meta").set(MetaKeys.SUBSCRIPTION_ID, subscriptionId);
        return r;
    }

    private static String capabilityOf(ChangeListener.Kind kind) {
        return switch (kind) {
            case TOOLS -> "tools";
            case PROMPTS -> "prompts";
            case RESOURCES, RESOURCE_UPDATED -> "resources";
        };
    }
}
