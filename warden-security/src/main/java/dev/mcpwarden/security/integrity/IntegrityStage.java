package dev.mcpwarden.security.integrity;

import dev.mcpwarden.server.events.SecurityEvents;
import dev.mcpwarden.server.events.ControlEvent;
import dev.mcpwarden.server.backend.Definitions;
import dev.mcpwarden.server.backend.Listing;
import dev.mcpwarden.server.backend.Missing;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.DefinitionsAware;
import dev.mcpwarden.server.pipeline.Stage;
import dev.mcpwarden.server.pipeline.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Tool integrity in the pipeline: every tool, prompt and resource template the backend defines is checked against
 * the pins of an {@link IntegrityGate} when the server is built and whenever its definitions change, and every entry
 * of every list the backend returns is checked again as listed, so that what reaches a client is what was pinned,
 * whatever the backend. What the gate withholds (a definition changed since it was pinned, an unpinned one, a name
 * collision) is invisible to every client: absent from lists, and a call, get or read through it is answered exactly
 * like one of something that does not exist. It comes back when someone {@linkplain #approve approves} the digest
 * they reviewed.
 *
 * <pre>{@code
 * IntegrityStage integrity = IntegrityStage.of(IntegrityGate.builder(PinStore.file(Path.of("warden-pins.json")))
 *         .listener(audit.integrityListener()).build());
 * McpServer server = McpServer.builder("acme", "1.0").controls(Controls.builder().integrity(integrity).build())
 *         .tool(...).build();
 * }</pre>
 */
public final class IntegrityStage implements Stage<Call, JsonNode>, DefinitionsAware {

    /** Definitions are checked against pins held in memory. */
    @Override
    public boolean mayBlock() {
        return false;
    }


    private record Key(DefinitionKind kind, String name) {
    }

    private record Snapshot(PinFile pins, Set<Key> withheld) {
    }

    private final IntegrityGate gate;
    private volatile Definitions definitions;
    private volatile Snapshot snapshot = new Snapshot(null, Set.of());

    private IntegrityStage(IntegrityGate gate) {
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    public static IntegrityStage of(IntegrityGate gate) {
        return new IntegrityStage(gate);
    }

    public IntegrityGate gate() {
        return gate;
    }

    @Override
    public void attach(Definitions definitions) {
        if (this.definitions != null) {
            throw new IllegalStateException("an integrity stage serves one server");
        }
        this.definitions = definitions;
        definitions.addListener((kind, uri) -> {
            if (kind != ChangeListener.Kind.RESOURCE_UPDATED) {
                refresh();
            }
        });
        refresh();
    }

    /** Which definitions are withheld now, as {@code kind/name} (for diagnostics and the admin console). */
    public List<IntegrityGate.Pending> withheld() {
        current();
        return gate.pending();
    }

    /** Approves the reviewed digest of a definition (see {@link IntegrityGate#approve}) and serves it again. */
    public PinFile approve(DefinitionKind kind, String name, String digest, String approver) throws java.io.IOException {
        PinFile pins = gate.approve(kind, name, digest, approver);
        refresh();
        return pins;
    }

    /**
     * Reloads the gate's pins (see {@link IntegrityGate#reload}) and, when they changed, decides the lists again so
     * that an approved definition is served at once.
     *
     * @return whether other pins are now in force
     */
    public boolean reload(String actor) {
        boolean changed = gate.reload(actor);
        if (changed) {
            refresh();
        }
        return changed;
    }

    private synchronized void refresh() {
        Definitions defs = definitions;
        if (defs == null) {
            return;
        }
        PinFile pins = gate.pins();
        List<Definition> all = new ArrayList<>();
        for (Target.Kind kind : Target.Kind.values()) {
            DefinitionKind pinned = DefinitionKind.of(kind);
            if (pinned != null) {
                defs.list(kind).forEach(e -> all.add(Definition.of(pinned, e.json())));
            }
        }
        Set<Key> admitted = new HashSet<>();
        for (Definition d : gate.admitted(all)) {
            admitted.add(new Key(d.kind(), d.name()));
        }
        Set<Key> withheld = new HashSet<>();
        for (Definition d : all) {
            Key k = new Key(d.kind(), d.name());
            if (!admitted.contains(k)) {
                withheld.add(k);
            }
        }
        snapshot = new Snapshot(pins, Set.copyOf(withheld));
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s.pins() != gate.pins()) { // pins changed behind our back (approved through the gate itself)
            refresh();
            s = snapshot;
        }
        return s;
    }

    @Override
    public JsonNode apply(Call call, Chain<Call, JsonNode> chain) {
        Definitions defs = definitions;
        if (defs == null) {
            throw new IllegalStateException("the integrity stage was not attached to a backend (install it with "
                    + "McpServer.Builder.controls)");
        }
        Target target = call.target();
        if (target != null) {
            Set<Key> withheld = current().withheld();
            if (!withheld.isEmpty()) {
                Optional<Definitions.Entry> entry = defs.resolve(target);
                if (entry.isPresent() && isWithheld(withheld, entry.get().kind(), entry.get().name())) {
                    SecurityEvents.report(call, new ControlEvent.Withheld(
                            DefinitionKind.of(entry.get().kind()).pinKey() + "/" + entry.get().name()));
                    throw Missing.answer(call.method(), target, call.modern());
                }
            }
        }
        JsonNode result = chain.proceed(call);
        DefinitionKind listed = DefinitionKind.of(Listing.kindOf(call.method()));
        if (listed == null) {
            return result;
        }
        // Decide on the entries as the backend listed them, not on what it defined when last refreshed.
        return Listing.filter(call.method(), result, (name, json) -> gate.admits(listed, name, json));
    }

    private static boolean isWithheld(Set<Key> withheld, Target.Kind kind, String name) {
        DefinitionKind k = DefinitionKind.of(kind);
        return k != null && withheld.contains(new Key(k, name));
    }

    @Override
    public String name() {
        return "integrity";
    }
}
