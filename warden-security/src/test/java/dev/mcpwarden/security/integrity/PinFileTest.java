package dev.mcpwarden.security.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinFileTest {

    static final String D1 = "sha256:" + "a".repeat(64);
    static final String D2 = "sha256:" + "b".repeat(64);

    @TempDir
    Path dir;

    static Definition tool(String name, String description) {
        return Definition.of(DefinitionKind.TOOL, Json.standard().parse(
                "{\"name\":\"" + name + "\",\"description\":\"" + description + "\",\"inputSchema\":{\"type\":\"object\"}}"));
    }

    @Test
    void writesAStableSortedAsciiFormat() {
        PinFile pins = PinFile.empty()
                .with(DefinitionKind.TOOL, "zeta", D1)
                .with(DefinitionKind.TOOL, "alpha", D2)
                .with(DefinitionKind.TOOL, "ev\u0456l", D1)
                .with(DefinitionKind.RESOURCE_TEMPLATE, "test://t/{id}", D2);
        assertThat(pins.toJson()).isEqualTo("""
                {
                  "version": 1,
                  "tools": {
                    "alpha": "%s",
                    "ev\\u0456l": "%s",
                    "zeta": "%s"
                  },
                  "prompts": {},
                  "resourceTemplates": {
                    "test://t/{id}": "%s"
                  }
                }
                """.formatted(D2, D1, D1, D2));
    }

    @Test
    void roundTripsThroughAFile() throws Exception {
        PinFile pins = PinFile.of(List.of(tool("a", "x"), tool("b", "y")));
        Path file = dir.resolve("sub/warden-pins.json");
        pins.write(file);
        PinFile read = PinFile.read(file);
        assertThat(read).isEqualTo(pins);
        assertThat(read.digest(DefinitionKind.TOOL, "a")).contains(tool("a", "x").digest());
        assertThat(read.digest(DefinitionKind.PROMPT, "a")).isEmpty();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(pins.toJson());
        assertThat(PinFile.parse(pins.toJson().replace("\n", "").replace(" ", ""), "x")).isEqualTo(pins);
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("warden-pins.json");
        }
    }

    @Test
    void malformedFilesAreRefusedWithTheFileAndMemberNamed() {
        assertThatThrownBy(() -> PinFile.parse("{\"version\":1,", "pins.json"))
                .isInstanceOf(PinFileException.class).hasMessageStartingWith("pin file pins.json: not valid JSON (");
        assertThatThrownBy(() -> PinFile.parse("[]", "pins.json"))
                .hasMessage("pin file pins.json: the top level must be a JSON object");
        assertThatThrownBy(() -> PinFile.parse("{\"tools\":{}}", "pins.json"))
                .hasMessage("pin file pins.json: \"version\" is missing (expected 1)");
        assertThatThrownBy(() -> PinFile.parse("{\"version\":2}", "pins.json"))
                .hasMessage("pin file pins.json: unsupported version 2 (this Warden reads version 1)");
        assertThatThrownBy(() -> PinFile.parse("{\"version\":1,\"tool\":{}}", "pins.json"))
                .hasMessage("pin file pins.json: unknown member \"tool\" (expected version, tools, prompts,"
                        + " resourceTemplates, packages)");
        assertThatThrownBy(() -> PinFile.parse("{\"version\":1,\"tools\":[]}", "pins.json"))
                .hasMessage("pin file pins.json: \"tools\" must be an object of name to digest, was ARRAY");
        assertThatThrownBy(() -> PinFile.parse("{\"version\":1,\"tools\":{\"a\":\"sha256:ABC\"}}", "pins.json"))
                .hasMessage("pin file pins.json: tools.\"a\" must be a digest like \"sha256:<64 lower-case hex"
                        + " digits>\", was \"sha256:ABC\"");
        assertThatThrownBy(() -> PinFile.parse("{\"version\":1,\"tools\":{\"a\":1,\"a\":2}}", "pins.json"))
                .hasMessageContaining("Duplicate");
    }

    @Test
    void aMissingFileSaysSo() {
        assertThatThrownBy(() -> PinFile.read(dir.resolve("nope.json")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("pin file does not exist");
    }

    @Test
    void withAndWithoutReturnChangedCopies() {
        PinFile a = PinFile.empty().with(DefinitionKind.PROMPT, "p", D1);
        PinFile b = a.with(DefinitionKind.PROMPT, "p", D2);
        assertThat(a.digest(DefinitionKind.PROMPT, "p")).contains(D1);
        assertThat(b.digest(DefinitionKind.PROMPT, "p")).contains(D2);
        assertThat(b.without(DefinitionKind.PROMPT, "p").isEmpty()).isTrue();
        assertThatThrownBy(() -> a.with(DefinitionKind.TOOL, "x", "md5:00"))
                .hasMessage("not a digest: md5:00");
    }

    @Test
    void pinningTwoDifferentDefinitionsWithOneNameIsRefused() {
        assertThatThrownBy(() -> PinFile.of(List.of(tool("a", "x"), tool("a", "y"))))
                .hasMessage("two different tools definitions are named \"a\"; resolve the name collision before"
                        + " pinning");
    }

    static final String INTEGRITY = "sha512-" + "k".repeat(86) + "==";

    @Test
    void packagePinsAreWrittenAfterTheDefinitionsReadBackAndKeptThroughChangesToDefinitionPins() throws Exception {
        PinFile pins = PinFile.empty().with(DefinitionKind.TOOL, "read", D1)
                .withPackage("@modelcontextprotocol/server-filesystem", new PinFile.PackagePin("2026.8.31", INTEGRITY));
        assertThat(pins.toJson()).isEqualTo("""
                {
                  "version": 1,
                  "tools": {
                    "read": "%s"
                  },
                  "prompts": {},
                  "resourceTemplates": {},
                  "packages": {
                    "@modelcontextprotocol/server-filesystem": {"version": "2026.8.31", "integrity": "%s"}
                  }
                }
                """.formatted(D1, INTEGRITY));
        Path file = dir.resolve("pins.json");
        pins.write(file);
        PinFile read = PinFile.read(file);
        assertThat(read).isEqualTo(pins);
        assertThat(read.with(DefinitionKind.TOOL, "write", D2).without(DefinitionKind.TOOL, "read")
                .packagePin("@modelcontextprotocol/server-filesystem"))
                .contains(new PinFile.PackagePin("2026.8.31", INTEGRITY));
        // Without a package, the format is what it always was.
        assertThat(PinFile.empty().toJson()).doesNotContain("packages");
    }

    @Test
    void aPackagePinWithARangeOrAMalformedIntegrityIsRefusedNamingIt() {
        for (String bad : List.of("{\"version\": \"^1.2.3\", \"integrity\": \"" + INTEGRITY + "\"}",
                "{\"version\": \"1.2.3\", \"integrity\": \"sha1-abc\"}", "{\"version\": \"1.2.3\"}", "\"1.2.3\"")) {
            assertThatThrownBy(() -> PinFile.parse("{\"version\": 1, \"packages\": {\"left-pad\": " + bad + "}}",
                    "pins.json")).as(bad).isInstanceOf(PinFileException.class)
                    .hasMessageStartingWith("pin file pins.json: packages.\"left-pad\" ");
        }
        assertThatThrownBy(() -> new PinFile.PackagePin("latest", INTEGRITY)).isInstanceOf(
                IllegalArgumentException.class).hasMessage("a pinned package version is an exact version, was latest");
    }
}
