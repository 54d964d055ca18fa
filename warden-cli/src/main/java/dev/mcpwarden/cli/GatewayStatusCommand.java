package dev.mcpwarden.cli;

import dev.mcpwarden.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code warden gateway status}: the inventory of a running gateway, read from its operator endpoint. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Print each upstream of a running gateway: transport, protocol, health, circuit, definitions "
                + "and pins (GET /warden/status).",
                "Example: warden gateway status --url http://127.0.0.1:8443 --admin-token-file admin.token",
                "Exit status: 0 shown; 1 the gateway refused or could not be reached; 2 usage error."})
final class GatewayStatusCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "http://HOST:PORT", description = "The gateway.")
    URI url;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "The gateway's operator token "
            + "(not needed for an anonymous development gateway on loopback).")
    Path adminTokenFile;

    @Option(names = "--json", description = "Print the document as the gateway serves it.")
    boolean json;

    @Override
    public Integer call() {
        return show(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    int show(PrintWriter out, PrintWriter err) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(GatewayStatus.PATH))
                .timeout(Duration.ofSeconds(10)).GET();
        if (adminTokenFile != null) {
            try {
                request.header("Authorization", "Bearer " + Files.readString(adminTokenFile).strip());
            } catch (IOException e) {
                err.println("warden gateway status: cannot read " + adminTokenFile + ": " + e.getMessage());
                return 2;
            }
        }
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("warden gateway status: " + url + " could not be reached: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (response.statusCode() == 401) {
            err.println("warden gateway status: " + url + " refused: give the gateway's --admin-token-file");
            return 1;
        }
        if (response.statusCode() != 200) {
            err.println("warden gateway status: " + url + " answered HTTP " + response.statusCode());
            return 1;
        }
        JsonNode document = Json.standard().parse(response.body());
        out.print(json ? document.toPrettyString() + "\n" : GatewayStatus.table(document));
        out.flush();
        return 0;
    }
}
