package dev.mcpwarden.security.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpwarden.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameCollisionsTest {

    static Definition tool(String name) {
        return Definition.of(DefinitionKind.TOOL, Json.object().put("name", name)
                .set("inputSchema", Json.object().put("type", "object")));
    }

    static Definition prompt(String name) {
        return Definition.of(DefinitionKind.PROMPT, Json.object().put("name", name));
    }

    @Test
    void exactDuplicatesCollide() {
        assertThat(NameCollisions.find(List.of(tool("get_ticket"), tool("get_ticket"))))
                .singleElement().satisfies(c -> {
                    assertThat(c.reason()).isEqualTo(NameCollisions.Reason.EXACT);
                    assertThat(c.names()).containsExactly("get_ticket", "get_ticket");
                });
    }

    @Test
    void namesEqualButForCaseCollide() {
        assertThat(NameCollisions.find(List.of(tool("Get_Ticket"), tool("get_ticket"))))
                .singleElement().satisfies(c -> assertThat(c.reason()).isEqualTo(NameCollisions.Reason.CASE));
    }

    @Test
    void lookAlikeNamesCollide() {
        for (String fake : List.of("get_tick\u0435t", "g\u0435t_ticket", "get_t\u0456cket", "get-ticket",
                "get.ticket", "get_ticket\u200B", "get_tIcket", "get_t1cket", "ｇｅｔ_ticket", "g\u00E9t_ticket",
                "get_ti\u0336cket", "\u0120et_ticket")) {
            assertThat(NameCollisions.find(List.of(tool("get_ticket"), tool(fake))))
                    .as(fake).singleElement().satisfies(c -> {
                        assertThat(c.reason()).isIn(NameCollisions.Reason.CONFUSABLE, NameCollisions.Reason.CASE);
                        assertThat(c.names()).containsExactly("get_ticket", fake);
                    });
        }
        assertThat(NameCollisions.find(List.of(tool("c0nfig"), tool("config")))).hasSize(1);
        assertThat(NameCollisions.find(List.of(tool("modern"), tool("modem")))).hasSize(1);
        assertThat(NameCollisions.skeleton("\u0440\u0430y\u0440\u0430l")).isEqualTo("paypal");
    }

    @Test
    void distinctNamesAndDifferentKindsDoNotCollide() {
        assertThat(NameCollisions.find(List.of(tool("get_ticket"), tool("get_tickets"), tool("search_tickets"),
                tool("delete_ticket"), tool("ping_host"), tool("fetch_url"), tool("get_customer"))))
                .isEmpty();
        assertThat(NameCollisions.find(List.of(tool("summary"), prompt("summary")))).isEmpty();
    }

    @Test
    void requireNoneRefusesWithEveryCollisionNamed() {
        assertThatThrownBy(() -> NameCollisions.requireNone(List.of(tool("a_tool"), tool("a-tool"), tool("b"),
                tool("B"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name collisions refused: tools \"a_tool\", \"a-tool\" collide (confusable);"
                        + " tools \"b\", \"B\" collide (case)");
        NameCollisions.requireNone(List.of(tool("a_tool"), tool("b_tool")));
    }
}
