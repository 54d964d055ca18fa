package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.gateway.Gateway;
import dev.mcpwarden.gateway.UpstreamSupply;
import dev.mcpwarden.security.integrity.DefinitionKind;
import dev.mcpwarden.security.integrity.IntegrityStage;
import dev.mcpwarden.security.integrity.PinFile;
import dev.mcpwarden.server.pipeline.Target;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway's inventory for operators: the JSON document {@code GET /warden/status} serves and the table
 * {@code warden gateway status} prints from it. Each upstream: name, transport, protocol revision, health, circuit,
 * definition counts, and its pin state (pinned, withheld, and of those withheld the ones awaiting approval).
 */
final class GatewayStatus {

    /** Where the gateway serves it, beside {@code /mcp}. */
    static final String PATH = "/warden/status";

    private GatewayStatus() {
    }

    /** The document: {@code {"upstreams": [...]}}. */
    static ObjectNode document(Gateway gateway, Optional<IntegrityStage> integrity) {
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("upstreams");
        PinFile pins = integrity.map(i -> i.gate().pins()).orElse(null);
        Set<String> withheld = new HashSet<>();
        integrity.ifPresent(i -> i.withheld().forEach(p -> withheld.add(p.kind().pinKey() + "/" + p.name())));
        Map<String, Gateway.CacheStatus> caches = new java.util.HashMap<>();
        gateway.cacheStatus().forEach(c -> caches.put(c.upstream(), c));
        for (Gateway.UpstreamStatus s : gateway.status()) {
            ObjectNode o = list.addObject();
            o.put("name", s.name());
            o.put("transport", s.transport());
            o.put("protocolVersion", s.protocolVersion());
            // An open circuit answers at once without trying the upstream: it is down until one request gets through.
            o.put("health", switch (s.circuit()) {
                case "CLOSED" -> "up";
                case "HALF_OPEN" -> "recovering";
                default -> "down";
            });
            o.put("circuit", s.circuit());
            o.put("isolation", s.isolation());
            if (s.isolation().equals("per-principal")) {
                o.put("principalProcesses", s.principalProcesses());
            }
            ObjectNode defs = o.putObject("definitions");
            defs.put("tools", s.tools());
            defs.put("prompts", s.prompts());
            defs.put("resources", s.resources());
            defs.put("resourceTemplates", s.templates());
            Gateway.CacheStatus c = caches.get(s.name());
            if (c != null) {
                o.putObject("cache").put("hits", c.hits()).put("misses", c.misses()).put("kept", c.kept());
            }
            if (pins != null) {
                int pinned = 0;
                int held = 0;
                for (Map.Entry<Target.Kind, List<String>> e : gateway.served(s.name()).entrySet()) {
                    DefinitionKind kind = DefinitionKind.of(e.getKey());
                    if (kind == null) {
                        continue;
                    }
                    for (String name : e.getValue()) {
                        if (withheld.contains(kind.pinKey() + "/" + name)) {
                            held++;
                        } else if (pins.digest(kind, name).isPresent()) {
                            pinned++;
                        }
                    }
                }
                ObjectNode p = o.putObject("pins");
                p.put("pinned", pinned);
                p.put("withheld", held);
                p.put("pendingApproval", held); // every definition withheld under pins waits for warden pins approve
            }
            UpstreamSupply supply = gateway.supplyChain().getOrDefault(s.name(), UpstreamSupply.NONE);
            if (!supply.source().equals(UpstreamSupply.NONE.source())) {
                ObjectNode sc = o.putObject("supplyChain");
                sc.put("source", supply.source());
                supply.subject().ifPresent(v -> sc.put("subject", v));
                sc.put("pinned", supply.pinned());
                supply.integrity().ifPresent(v -> sc.put("integrity", v));
                supply.tree().ifPresent(v -> sc.put("tree", v));
                sc.put("signatures", supply.signatures());
            }
        }
        return root;
    }

    /** The table {@code warden gateway status} prints. */
    static String table(JsonNode document) {
        String format = "%-16s %-6s %-11s %-10s %-9s %5s %7s %9s %9s %6s %8s %7s %s%n";
        StringBuilder sb = new StringBuilder(String.format(format, "UPSTREAM", "KIND", "PROTOCOL", "HEALTH",
                "CIRCUIT", "TOOLS", "PROMPTS", "RESOURCES", "TEMPLATES", "PINNED", "WITHHELD", "PENDING", "SUPPLY"));
        for (JsonNode u : document.path("upstreams")) {
            JsonNode d = u.path("definitions");
            JsonNode p = u.path("pins");
            sb.append(String.format(format, u.path("name").asString(), u.path("transport").asString(),
                    u.path("protocolVersion").asString(), u.path("health").asString(), u.path("circuit").asString(),
                    d.path("tools").asInt(), d.path("prompts").asInt(), d.path("resources").asInt(),
                    d.path("resourceTemplates").asInt(), count(p, "pinned"), count(p, "withheld"),
                    count(p, "pendingApproval"), supply(u.path("supplyChain"))));
        }
        return sb.toString();
    }

    /**
     * {@code npm NAME@VERSION, signatures verified}, {@code npm NAME@RANGE UNPINNED, ...}, {@code file PATH}, or
     * {@code -} when nothing of the program is checked.
     */
    private static String supply(JsonNode sc) {
        if (!sc.isObject()) {
            return "-";
        }
        String text = sc.path("source").asString() + " " + sc.path("subject").asString()
                + (sc.path("pinned").asBoolean() ? "" : " UNPINNED");
        String signatures = sc.path("signatures").asString();
        return sc.path("source").asString().equals("npm")
                ? text + ", signatures " + signatures.split("[ :]", 2)[0] : text;
    }

    private static String count(JsonNode pins, String field) {
        return pins.has(field) ? String.valueOf(pins.path(field).asInt()) : "-";
    }

    /**
     * Serves the document to operators only: with an admin token, a request must carry it as
     * {@code Authorization: Bearer}; without one (anonymous development mode), only from the loopback interface.
     */
    static Handler handler(Gateway gateway, Optional<IntegrityStage> integrity, Optional<String> adminToken) {
        byte[] expected = adminToken.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!Request.getPathInContext(request).equals(PATH) || !request.getMethod().equals("GET")) {
                    Response.writeError(request, response, callback, 404);
                    return true;
                }
                boolean allowed;
                if (expected != null) {
                    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                    allowed = auth != null
                            && MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8));
                } else {
                    allowed = isLoopback(Request.getRemoteAddr(request));
                }
                if (!allowed) {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"warden-operator\"");
                    Response.writeError(request, response, callback, 401);
                    return true;
                }
                byte[] body = Json.standard().bytes(document(gateway, integrity));
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        };
    }

    private static boolean isLoopback(String address) {
        // Jetty gives the peer's address as a literal, so this resolves nothing; anything else is refused.
        if (address == null || !address.matches("[0-9a-fA-F.:\\[\\]%]+")) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
