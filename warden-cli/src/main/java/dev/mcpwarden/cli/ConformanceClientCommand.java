package dev.mcpwarden.cli;

import dev.mcpwarden.client.McpClient;
import dev.mcpwarden.client.McpClientException;
import dev.mcpwarden.client.oauth.OAuthClient;
import dev.mcpwarden.client.oauth.OAuthClient.AuthMethod;
import dev.mcpwarden.client.oauth.OAuthClient.Registration;
import dev.mcpwarden.client.oauth.UserAgent;
import dev.mcpwarden.core.json.Json;
import java.io.PrintWriter;
import java.net.URI;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code warden conformance-client URL}: Warden's MCP client (warden-client's {@code McpClient} and
 * {@code OAuthClient}) as the client under test of the official conformance suite's client scenarios. The suite
 * appends the URL and names the scenario in {@code MCP_CONFORMANCE_SCENARIO}, the wire in
 * {@code MCP_CONFORMANCE_PROTOCOL_VERSION} and its data in {@code MCP_CONFORMANCE_CONTEXT}.
 */
@Command(name = "conformance-client", mixinStandardHelpOptions = true,
        description = "The client under test of the MCP conformance suite's client scenarios: conformance client "
                + "--command './warden conformance-client' --requirements 2026-07-28. Reads MCP_CONFORMANCE_SCENARIO, "
                + "MCP_CONFORMANCE_PROTOCOL_VERSION and MCP_CONFORMANCE_CONTEXT; exits 0 when every step worked.")
final class ConformanceClientCommand implements Callable<Integer> {

    /** The redirect URI the suite's reference client uses; the suite's authorization servers redirect at once. */
    static final URI REDIRECT_URI = URI.create("http://localhost:3000/callback");
    /** The Client ID Metadata Document URL the suite expects (its authorization server never fetches it). */
    static final URI CLIENT_METADATA_DOCUMENT = URI.create("https://conformance-test.local/client-metadata.json");
    private static final int MAX_INPUT_ROUNDS = 10;
    /** The suite starts every scenario's client at once: on a loaded machine its servers answer slowly. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "The MCP server URL (the suite appends it).")
    URI url;

    /** The environment, replaceable in tests. */
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        String scenario = env.getOrDefault("MCP_CONFORMANCE_SCENARIO", "");
        String version = env.getOrDefault("MCP_CONFORMANCE_PROTOCOL_VERSION", McpClient.LEGACY_VERSION);
        try {
            JsonNode context = Json.standard().parse(env.getOrDefault("MCP_CONFORMANCE_CONTEXT", "{}"));
            ObjectNode caps = Json.object();
            caps.putObject("sampling");
            caps.putObject("elicitation");
            caps.putObject("roots");
            McpClient.Builder b = McpClient.http(url)
                    .era(McpClient.MODERN_VERSION.equals(version) ? McpClient.Era.MODERN : McpClient.Era.LEGACY)
                    .clientInfo("warden-conformance-client", "1.0.0")
                    .capabilities(caps)
                    .requestTimeout(PATIENCE)
                    .onServerRequest(ClientAnswers::answer)
                    .listen(true);
            if (scenario.startsWith("auth/")) {
                b.authorization(oauth(scenario, context));
            }
            try (McpClient client = b.build()) {
                exercise(scenario, client, context, out);
            }
            out.println("OK " + scenario);
            out.flush();
            return 0;
        } catch (McpClientException | RuntimeException e) {
            err.println("warden conformance-client: " + scenario + ": " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** The OAuth client a scenario calls for, from the credentials in its context. */
    static OAuthClient oauth(String scenario, JsonNode ctx) {
        String clientId = ctx.path("client_id").asString("");
        Optional<String> secret = Optional.of(ctx.path("client_secret").asString("")).filter(s -> !s.isEmpty());
        return switch (scenario) {
            case "auth/client-credentials-basic" -> OAuthClient.clientCredentials(
                    new Registration(clientId, secret, AuthMethod.CLIENT_SECRET_BASIC)).timeout(PATIENCE).build();
            case "auth/client-credentials-jwt" -> OAuthClient.clientCredentials(
                            new Registration(clientId, Optional.empty(), AuthMethod.PRIVATE_KEY_JWT))
                    .signingKey(ecKey(ctx.path("private_key_pem").asString("")),
                            ctx.path("signing_algorithm").asString("ES256"))
                    .timeout(PATIENCE).build();
            case "auth/wif-jwt-bearer" -> {
                String jwt = ctx.path("valid_jwt").asString("");
                yield OAuthClient.jwtBearer(new Registration(clientId, Optional.empty(), AuthMethod.NONE), () -> jwt)
                        .timeout(PATIENCE).build();
            }
            case "auth/enterprise-managed-authorization" -> {
                String idToken = ctx.path("idp_id_token").asString("");
                yield OAuthClient.enterprise(new Registration(clientId, secret, AuthMethod.CLIENT_SECRET_BASIC),
                        URI.create(ctx.path("idp_token_endpoint").asString("")),
                        new Registration(ctx.path("idp_client_id").asString(""), Optional.empty(), AuthMethod.NONE),
                        () -> idToken).timeout(PATIENCE).build();
            }
            default -> {
                OAuthClient.Builder ob = OAuthClient.authorizationCode(REDIRECT_URI, UserAgent.headless(PATIENCE))
                        .timeout(PATIENCE)
                        .clientMetadataDocument(CLIENT_METADATA_DOCUMENT)
                        .clientName("warden-conformance-client");
                if (!clientId.isEmpty()) {
                    String issuer = ctx.path("issuer").asString("");
                    ob.preRegistered(new Registration(clientId, secret,
                            secret.isPresent() ? AuthMethod.CLIENT_SECRET_BASIC : AuthMethod.NONE),
                            issuer.isEmpty() ? null : issuer);
                }
                yield ob.build();
            }
        };
    }

    /** What a client does with a server: list and call its tools, read its resources, get its prompts. */
    static void exercise(String scenario, McpClient client, JsonNode ctx, PrintWriter out)
            throws McpClientException {
        List<JsonNode> tools = client.list(McpClient.Kind.TOOLS);
        out.println("tools: " + tools.size());
        JsonNode calls = ctx.path("toolCalls");
        if (calls.isArray() && !calls.isEmpty()) {
            for (JsonNode c : calls) {
                call(client, c.path("name").asString(), c.path("arguments") instanceof ObjectNode a ? a
                        : Json.object(), out);
            }
        } else {
            for (JsonNode tool : tools) {
                String name = tool.path("name").asString();
                ObjectNode args = name.equals("json_schema_echo") ? echoArguments(tools)
                        : ClientAnswers.sample(tool.path("inputSchema"));
                call(client, name, args, out);
            }
        }
        if (scenario.startsWith("auth/")) {
            return; // the authorization scenarios judge the tool calls; nothing more is asked of a client there
        }
        JsonNode caps = client.capabilities();
        if (caps.has("resources")) {
            for (JsonNode r : client.list(McpClient.Kind.RESOURCES)) {
                ObjectNode p = Json.object();
                p.put("uri", r.path("uri").asString());
                client.request("resources/read", p);
                out.println("read " + r.path("uri").asString());
            }
        }
        if (caps.has("prompts")) {
            for (JsonNode pr : client.list(McpClient.Kind.PROMPTS)) {
                ObjectNode p = Json.object();
                p.put("name", pr.path("name").asString());
                ObjectNode args = p.putObject("arguments");
                for (JsonNode a : pr.path("arguments")) {
                    args.put(a.path("name").asString(), "test");
                }
                client.request("prompts/get", p);
                out.println("prompt " + pr.path("name").asString());
            }
        }
    }

    /**
     * Calls a tool, answering {@code input_required} rounds (the 2026 wire's elicitation, sampling and roots) and
     * echoing {@code requestState} unchanged, as a fresh request each round.
     */
    static JsonNode call(McpClient client, String name, ObjectNode arguments, PrintWriter out)
            throws McpClientException {
        ObjectNode params = Json.object();
        params.put("name", name);
        params.set("arguments", arguments);
        JsonNode result = client.request("tools/call", params);
        for (int round = 0; round < MAX_INPUT_ROUNDS
                && "input_required".equals(result.path("resultType").asString("")); round++) {
            ObjectNode retry = params.deepCopy();
            ObjectNode responses = retry.putObject("inputResponses");
            for (Map.Entry<String, JsonNode> e : result.path("inputRequests").properties()) {
                responses.set(e.getKey(), ClientAnswers.answer(e.getValue().path("method").asString(""),
                        e.getValue().path("params")));
            }
            if (result.hasNonNull("requestState")) {
                retry.set("requestState", result.get("requestState"));
            }
            result = client.request("tools/call", retry);
        }
        out.println("called " + name + (result.path("isError").asBoolean(false) ? " (tool error)" : ""));
        return result;
    }

    /** {@code json_schema_echo} is given the input schema of {@code json_schema_2020_12_tool} as received. */
    private static ObjectNode echoArguments(List<JsonNode> tools) {
        ObjectNode args = Json.object();
        for (JsonNode t : tools) {
            if (t.path("name").asString("").equals("json_schema_2020_12_tool")) {
                args.set("schema", t.path("inputSchema"));
            }
        }
        return args;
    }

    /** A PKCS #8 PEM EC private key. */
    static PrivateKey ecKey(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(body)));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the context's private_key_pem is not a PKCS #8 EC key", e);
        }
    }
}
