package dev.mcpwarden.examples.everything;

import dev.mcpwarden.core.content.Content;
import dev.mcpwarden.core.content.PromptMessage;
import dev.mcpwarden.core.content.ResourceContents;
import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.core.json.Json;
import dev.mcpwarden.server.LogLevel;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.input.InputRequest;
import dev.mcpwarden.server.input.InputResponses;
import dev.mcpwarden.server.prompt.Prompt;
import dev.mcpwarden.server.resource.Resource;
import dev.mcpwarden.server.resource.ResourceTemplate;
import dev.mcpwarden.server.tool.Tool;
import dev.mcpwarden.server.tool.ToolContext;
import dev.mcpwarden.server.tool.ToolHandler;
import dev.mcpwarden.server.task.TaskOptions;
import dev.mcpwarden.server.task.TaskSupport;
import dev.mcpwarden.core.jsonrpc.ErrorCodes;
import dev.mcpwarden.core.jsonrpc.McpError;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The conformance fixture: every tool, resource and prompt the official MCP conformance suite exercises, served
 * on both protocol eras. Handlers that need client input are written once with {@code ctx.input(...)} and work on
 * both wires (server-to-client requests on 2025, input_required round trips on 2026).
 */
public final class EverythingServer {

    /** A 1x1 PNG. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    /** A tiny WAV. */
    static final String WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    private EverythingServer() {
    }

    public static McpServer create() {
        AtomicReference<McpServer> self = new AtomicReference<>();
        McpServer.Builder b = McpServer.builder("warden-everything-server", "1.0.0").controls(Controls.insecureWithoutAuthentication())
                .title("Warden everything server")
                .instructions("A test fixture exposing every MCP feature for conformance testing.");

        tool(b, "test_simple_text", "Returns a simple text response",
                ctx -> ToolResult.text("This is a simple text response for testing."));
        tool(b, "test_image_content", "Returns an image",
                ctx -> ToolResult.of(new Content.Image(PNG, "image/png")));
        tool(b, "test_audio_content", "Returns audio",
                ctx -> ToolResult.of(new Content.Audio(WAV, "audio/wav")));
        tool(b, "test_embedded_resource", "Returns an embedded resource",
                ctx -> ToolResult.of(Content.resource(ResourceContents.text("test://embedded-resource", "text/plain",
                        "This is an embedded resource content."))));
        tool(b, "test_multiple_content_types", "Returns text, image and resource content",
                ctx -> ToolResult.of(Content.text("Multiple content types test:"),
                        new Content.Image(PNG, "image/png"),
                        Content.resource(ResourceContents.text("test://mixed-content-resource", "application/json",
                                "{\"test\":\"data\",\"value\":123}"))));
        tool(b, "test_tool_with_logging", "Sends log messages while it runs", ctx -> {
            for (String m : List.of("Tool execution started", "Tool processing data", "Tool execution completed")) {
                ctx.log(LogLevel.INFO, null, Json.nodes().stringNode(m));
                Thread.sleep(50);
            }
            return ToolResult.text("Tool with logging executed successfully");
        });
        tool(b, "test_tool_with_progress", "Reports progress while it runs", ctx -> {
            for (int step = 0; step <= 2; step++) {
                ctx.progress(step * 50, 100.0, "Completed step " + (step + 1) + " of 3");
                Thread.sleep(50);
            }
            return ToolResult.text("Progress test completed");
        });
        tool(b, "test_error_handling", "Always fails with a tool error",
                ctx -> ToolResult.error("This tool intentionally returns an error for testing"));
        tool(b, "test_reconnection", "Closes its SSE stream mid-call; the result arrives after the client resumes",
                ctx -> {
                    ctx.suggestReconnect();
                    Thread.sleep(100);
                    return ToolResult.text("Reconnection test completed successfully.");
                });
        b.tool(Tool.builder("test_sampling").description("Asks the client's model to answer a prompt")
                .inputSchema(objectSchema(Map.of("prompt", "string"), List.of("prompt")))
                .handler(ctx -> {
                    JsonNode answer = ctx.input("sampling",
                            InputRequest.sample(ctx.arguments().get("prompt").asString(), 100));
                    return ToolResult.text("LLM response: " + answer.path("content").path("text").asString(""));
                }).build());
        b.tool(Tool.builder("test_elicitation").description("Asks the user for information")
                .inputSchema(objectSchema(Map.of("message", "string"), List.of("message")))
                .handler(ctx -> {
                    ObjectNode schema = objectSchema(new LinkedHashMap<>(Map.of("username", "string", "email", "string")),
                            List.of("username", "email"));
                    ((ObjectNode) schema.get("properties").get("username")).put("description", "User's response");
                    ((ObjectNode) schema.get("properties").get("email")).put("description", "User's email address");
                    JsonNode answer = ctx.input("info",
                            InputRequest.elicit(ctx.arguments().get("message").asString(), schema));
                    return ToolResult.text("User response: action=" + answer.path("action").asString("")
                            + ", content=" + Json.standard().text(answer.path("content")));
                }).build());
        tool(b, "test_elicitation_sep1034_defaults", "Elicits a form whose fields have defaults", ctx -> {
            JsonNode answer = ctx.input("form", InputRequest.elicit(
                    "Please review and update the form fields with defaults", json("""
                            {"type":"object","properties":{
                             "name":{"type":"string","description":"User name","default":"John Doe"},
                             "age":{"type":"integer","description":"User age","default":30},
                             "score":{"type":"number","description":"User score","default":95.5},
                             "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                             "verified":{"type":"boolean","description":"Verification status","default":true}},
                             "required":[]}""")));
            return ToolResult.text("Elicitation completed: action=" + answer.path("action").asString("")
                    + ", content=" + Json.standard().text(answer.path("content")));
        });
        tool(b, "test_elicitation_sep1330_enums", "Elicits single and multiple choice enums", ctx -> {
            JsonNode answer = ctx.input("choices", InputRequest.elicit(
                    "Please select options from the enum fields", json("""
                            {"type":"object","properties":{
                             "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
                             "titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
                             "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
                             "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
                             "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
                             "required":[]}""")));
            return ToolResult.text("Elicitation completed: action=" + answer.path("action").asString("")
                    + ", content=" + Json.standard().text(answer.path("content")));
        });
        b.tool(Tool.builder("json_schema_2020_12_tool")
                .description("Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)")
                .inputSchema(json("""
                        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                         "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                         "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},
                         "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
                         "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
                         "then":{"required":["phone"]},"else":{"required":["email"]},
                         "additionalProperties":false}"""))
                .handler(ctx -> ToolResult.text("JSON Schema 2020-12 tool called with: "
                        + Json.standard().text(ctx.arguments())))
                .build());
        b.tool(Tool.builder("test_header_param")
                .description("Echoes an argument that is mirrored in the Mcp-Param-Region header")
                .inputSchema(json("""
                        {"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region",
                         "description":"A region name, mirrored in a routing header"}},
                         "additionalProperties":false}"""))
                .handler(ctx -> ToolResult.text("Region: " + ctx.arguments().path("region").asString("(none)")))
                .build());
        // 2026-07-28 diagnostics
        tool(b, "test_missing_capability", "Needs the client's sampling capability",
                ctx -> ToolResult.text("Sampled: " + ctx.input("probe", InputRequest.sample("ping", 10))
                        .path("content").path("text").asString("")));
        tool(b, "test_streaming_elicitation", "Returns on the response stream without server requests",
                ctx -> {
                    ctx.progress(50, 100.0, "Halfway");
                    return ToolResult.text("Streaming complete");
                });
        tool(b, "test_logging_tool", "Logs only when the request asked for a log level", ctx -> {
            ctx.log(LogLevel.INFO, null, Json.nodes().stringNode("Logging evaluated"));
            return ToolResult.text("Logging evaluated");
        });
        tool(b, "test_trigger_tool_change", "Announces a tool list change to subscribers", ctx -> {
            self.get().toolsChanged();
            return ToolResult.text("Mutation triggered");
        });
        tool(b, "test_trigger_prompt_change", "Announces a prompt list change to subscribers", ctx -> {
            self.get().promptsChanged();
            return ToolResult.text("Mutation triggered");
        });
        // Multi round-trip (MRTR) tools
        tool(b, "test_input_required_result_elicitation", "Asks the user's name", ctx -> {
            InputResponses r = ctx.input(Map.of("user_name", askName("What is your name?")));
            String name = r.accepted("user_name").map(c -> c.path("name").asString("")).orElse("");
            return ToolResult.text("Hello, " + (name.isEmpty() ? "unknown" : name) + "!");
        });
        tool(b, "test_input_required_result_sampling", "Asks the client's model a question", ctx -> {
            JsonNode answer = ctx.input("capital_question", InputRequest.sample("What is the capital of France?", 100));
            return ToolResult.text("Sampling result: " + answer.path("content").path("text").asString(""));
        });
        tool(b, "test_input_required_result_list_roots", "Asks for the client's roots", ctx -> {
            JsonNode answer = ctx.input("client_roots", InputRequest.listRoots());
            return ToolResult.text("Found " + answer.path("roots").size() + " root(s)");
        });
        tool(b, "test_input_required_result_request_state", "Asks for confirmation; state travels sealed",
                ctx -> confirm(ctx, "state-ok: requestState validated"));
        tool(b, "test_input_required_result_multiple_inputs", "Asks for several inputs at once", ctx -> {
            Map<String, InputRequest> all = new LinkedHashMap<>();
            all.put("user_name", askName("What is your name?"));
            all.put("greeting", InputRequest.sample("Write a short greeting", 50));
            all.put("client_roots", InputRequest.listRoots());
            InputResponses r = ctx.input(all);
            return ToolResult.text("Received " + r.byKey().size() + " inputs");
        });
        tool(b, "test_input_required_result_multi_round", "Asks two questions in two rounds", ctx -> {
            String name = ctx.input(Map.of("step1", askName("Step 1: What is your name?")))
                    .accepted("step1").map(c -> c.path("name").asString("")).orElse("unknown");
            String color = ctx.input(Map.of("step2", InputRequest.elicit("Step 2: What is your favorite color?",
                    objectSchema(Map.of("color", "string"), List.of("color")))))
                    .accepted("step2").map(c -> c.path("color").asString("")).orElse("unknown");
            return ToolResult.text(name + " likes " + color);
        });
        tool(b, "test_input_required_result_tampered_state", "Asks for confirmation; rejects altered state",
                ctx -> confirm(ctx, "state-ok"));
        tool(b, "test_input_required_result_capabilities", "Asks only for what the client declared", ctx -> {
            Map<String, InputRequest> wanted = new LinkedHashMap<>();
            if (ctx.clientSupports("sampling")) {
                wanted.put("sample_input", InputRequest.sample("Sample request", 50));
            }
            if (ctx.clientSupports("elicitation")) {
                wanted.put("elicit_input", askName("What is your name?"));
            }
            if (wanted.isEmpty()) {
                return ToolResult.text("capabilities-ok: nothing to ask");
            }
            return ToolResult.text("capabilities-ok: received " + ctx.input(wanted).byKey().keySet());
        });

        b.resource(Resource.text("test://static-text", "static-text", "text/plain",
                "This is the content of the static text resource."));
        b.resource(new Resource("test://static-binary", "static-binary", "Static Binary Resource", null, "image/png",
                (uri, ctx) -> List.of(ResourceContents.blob(uri, "image/png", Base64.getDecoder().decode(PNG)))));
        b.resource(Resource.text("test://watched-resource", "watched-resource", "text/plain",
                "Watched resource content"));
        b.resourceTemplate(new ResourceTemplate("test://template/{id}/data", "template",
                "A resource template with an id", "application/json",
                (uri, vars, ctx) -> {
                    ObjectNode data = Json.object();
                    data.put("id", vars.get("id"));
                    data.put("templateTest", true);
                    data.put("data", "Data for ID: " + vars.get("id"));
                    return List.of(ResourceContents.text(uri, "application/json", Json.standard().text(data)));
                }));

        b.prompt(new Prompt("test_simple_prompt", "Simple Test Prompt", "A simple prompt without arguments", List.of(),
                (args, ctx) -> new Prompt.Rendered(null,
                        List.of(PromptMessage.user(Content.text("This is a simple prompt for testing."))))));
        b.prompt(new Prompt("test_prompt_with_arguments", "Prompt With Arguments", "A prompt with required arguments",
                List.of(new Prompt.Argument("arg1", "First test argument", true),
                        new Prompt.Argument("arg2", "Second test argument", true)),
                (args, ctx) -> new Prompt.Rendered(null, List.of(PromptMessage.user(Content.text(
                        "Prompt with arguments: arg1='" + args.get("arg1") + "', arg2='" + args.get("arg2") + "'"))))));
        b.prompt(new Prompt("test_prompt_with_embedded_resource", "Prompt With Embedded Resource",
                "A prompt that includes an embedded resource",
                List.of(new Prompt.Argument("resourceUri", "URI of the resource to embed", true)),
                (args, ctx) -> new Prompt.Rendered(null, List.of(
                        PromptMessage.user(Content.resource(ResourceContents.text(args.get("resourceUri"), "text/plain",
                                "Embedded resource content for testing."))),
                        PromptMessage.user(Content.text("Please process the embedded resource above."))))));
        b.prompt(new Prompt("test_prompt_with_image", "Prompt With Image", "A prompt that includes image content",
                List.of(), (args, ctx) -> new Prompt.Rendered(null, List.of(
                PromptMessage.user(new Content.Image(PNG, "image/png")),
                PromptMessage.user(Content.text("Please analyze the image above."))))));
        b.prompt(new Prompt("test_input_required_result_prompt", null, "MRTR: prompt that requires elicitation input",
                List.of(), (args, ctx) -> {
            String context = ctx.input(Map.of("user_context", InputRequest.elicit(
                            "What context should the prompt use?",
                            objectSchema(Map.of("context", "string"), List.of("context")))))
                    .accepted("user_context").map(c -> c.path("context").asString("")).orElse("none");
            return new Prompt.Rendered(null, List.of(PromptMessage.user(Content.text("Prompt with context: " + context))));
        }));
        b.promptCompleter("test_prompt_with_arguments", "arg1", (arg, prefix, others) ->
                List.of("testValue1", "testValue2", "other").stream().filter(v -> v.startsWith(prefix)).toList());

        tasks(b);
        McpServer server = b.build();
        self.set(server);
        return server;
    }

    /** The tasks extension's fixtures (conformance scenarios tasks-*): the same handlers, run as tasks. */
    private static void tasks(McpServer.Builder b) {
        // Every conformance client is anonymous: allow it many tasks at once; poll quickly.
        b.taskOptions(TaskOptions.defaults().withMaxRunningPerPrincipal(64).withPollInterval(Duration.ofMillis(200)));
        b.tool(Tool.builder("greet").description("Greets someone (answered directly)")
                .inputSchema(objectSchema(Map.of("name", "string"), List.of("name")))
                .handler(ctx -> ToolResult.text("Hello, " + ctx.arguments().path("name").asString("") + "!"))
                .build());
        b.tool(Tool.builder("slow_compute").description("Works for the given seconds, as a task")
                .inputSchema(json("""
                        {"type":"object","properties":{"seconds":{"type":"number","minimum":0,"maximum":600},
                         "label":{"type":"string"}}}"""))
                .taskSupport(TaskSupport.OPTIONAL)
                .handler(ctx -> {
                    long until = System.nanoTime()
                            + (long) (ctx.arguments().path("seconds").asDouble(0) * 1_000_000_000L);
                    while (System.nanoTime() < until) {
                        if (ctx.isCancelled()) {
                            return ToolResult.text("cancelled");
                        }
                        Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                    }
                    return ToolResult.text("Computed " + ctx.arguments().path("label").asString("result"));
                }).build());
        b.tool(Tool.builder("failing_job").description("Fails with a tool error after a second (task only)")
                .taskSupport(TaskSupport.REQUIRED)
                .handler(ctx -> {
                    Thread.sleep(1000);
                    return ToolResult.error("The job failed");
                }).build());
        b.tool(Tool.builder("protocol_error_job").description("Fails with a protocol error, as a task")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler(ctx -> {
                    throw new McpError(ErrorCodes.INTERNAL_ERROR, "The job hit a protocol error");
                }).build());
        b.tool(Tool.builder("confirm_delete").description("Asks to confirm a deletion, as a task")
                .inputSchema(objectSchema(Map.of("filename", "string"), List.of("filename")))
                .taskSupport(TaskSupport.OPTIONAL)
                .handler(ctx -> {
                    String file = ctx.arguments().path("filename").asString("");
                    JsonNode answer = ctx.input("confirm", InputRequest.elicit("Delete " + file + "?",
                            objectSchema(Map.of("confirm", "boolean"), List.of("confirm"))));
                    boolean yes = answer.path("content").path("confirm").asBoolean(false);
                    return ToolResult.text(yes ? "Deleted " + file : "Kept " + file);
                }).build());
        b.tool(Tool.builder("multi_input").description("Asks two questions at once, as a task")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler(ctx -> {
                    Map<String, InputRequest> asks = new LinkedHashMap<>();
                    asks.put("name", InputRequest.elicit("Your name?", objectSchema(Map.of("name", "string"),
                            List.of())));
                    asks.put("confirm", InputRequest.elicit("Proceed?", objectSchema(Map.of("confirm", "boolean"),
                            List.of())));
                    InputResponses answers = ctx.input(asks);
                    return ToolResult.text("Answered: " + answers.get("name").path("content").path("name")
                            .asString("") + ", " + answers.get("confirm").path("content").path("confirm"));
                }).build());
        b.tool(Tool.builder("test_tool_with_task").description("Asks a name, then works on as a task")
                .taskSupport(TaskSupport.REQUIRED).taskAfterInput()
                .handler(ctx -> {
                    JsonNode answer = ctx.input("user_name", InputRequest.elicit("What is your name?",
                            objectSchema(Map.of("name", "string"), List.of("name"))));
                    Thread.sleep(500);
                    return ToolResult.text("Hello, " + answer.path("content").path("name").asString("") + "!");
                }).build());
    }

    private static void tool(McpServer.Builder b, String name, String description, ToolHandler handler) {
        b.tool(Tool.builder(name).description(description).handler(handler).build());
    }

    private static ToolResult confirm(ToolContext ctx, String okText) {
        JsonNode answer = ctx.input("confirm", InputRequest.elicit("Please confirm",
                objectSchema(Map.of("ok", "boolean"), List.of("ok"))));
        boolean ok = answer.path("content").path("ok").asBoolean(false);
        return ok ? ToolResult.text(okText) : ToolResult.text("not confirmed");
    }

    private static InputRequest askName(String question) {
        return InputRequest.elicit(question, objectSchema(Map.of("name", "string"), List.of("name")));
    }

    static ObjectNode objectSchema(Map<String, String> properties, List<String> required) {
        ObjectNode s = Json.object();
        s.put("type", "object");
        ObjectNode props = s.putObject("properties");
        properties.forEach((k, t) -> props.putObject(k).put("type", t));
        required.forEach(s.putArray("required")::add);
        return s;
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.standard().parse(text);
    }
}
