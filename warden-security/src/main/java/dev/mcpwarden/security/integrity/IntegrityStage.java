package dev.mcpwarden.security.integrity;

import dev.mcpwarden.security.audit.AuditNotes;
import dev.mcpwarden.server.auth.Access;
import dev.mcpwarden.server.dispatch.Call;
import dev.mcpwarden.server.dispatch.Catalog;
import dev.mcpwarden.server.dispatch.ChangeListener;
import dev.mcpwarden.server.pipeline.CatalogAware;
import dev.mcpwarden.server.pipeline.Chain;
import dev.mcpwarden.server.pipeline.Stage;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Tool integrity in the pipeline: every tool, prompt and resource template the server defines is checked against
 * the pins of an {@link IntegrityGate} when the server is built and whenever its lists change. What the gate
 * withholds (a definition changed since it was pinned, an unpinned one, a name collision) is invisible to every
 * client: absent from lists, and a call, get or read through it is answered exactly like one of something that does
 * not exist. It comes back when someone {@linkplain #approve approves} the digest they reviewed.
 *
 * <pre>{@code
 * IntegrityStage integrity = IntegrityStage.of(IntegrityGate.builder(PinStore.file(Path.of("warden-pins.json")))
 *         .listener(audit.integrityListener()).build());
 * McpServer server = McpServer.builder("acme", "1.0").stage(integrity).tool(...).build();
 * }</pre>
 */
public final class IntegrityStage implements Stage<Call, JsonNode>, CatalogAware {

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
    private volatile Catalog catalog;
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
    public void attach(Catalog catalog) {
        if (this.catalog != null) {
            throw new IllegalStateException("an integrity stage serves one server");
        }
        this.catalog = catalog;
        catalog.addListener((kind, uri) -> {
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

    private synchronized void refresh() {
        Catalog c = catalog;
        if (c == null) {
            return;
        }
        PinFile pins = gate.pins();
        List<Definition> all = Definition.allOf(c);
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
        if (catalog == null) {
            throw new IllegalStateException("the integrity stage was not attached to a server (add it with "
                    + "McpServer.Builder.stage)");
        }
        Set<Key> withheld = current().withheld();
        if (withheld.isEmpty()) {
            return chain.proceed(call);
        }
        Access inner = call.access();
        AuditNotes notes = AuditNotes.of(call);
        call.access(new Access() {
            @Override
            public boolean exists(Kind kind, String name) {
                if (isWithheld(withheld, kind, name)) {
                    notes.note("integrity", "withheld: " + kindOf(kind).pinKey() + "/" + name);
                    return false;
                }
                return inner.exists(kind, name);
            }

            @Override
            public boolean listed(Kind kind, String name, Set<String> declaredScopes) {
                return !isWithheld(withheld, kind, name) && inner.listed(kind, name, declaredScopes);
            }

            @Override
            public void authorize(Kind kind, String name, Set<String> declaredScopes) {
                inner.authorize(kind, name, declaredScopes);
            }
        });
        return chain.proceed(call);
    }

    private static boolean isWithheld(Set<Key> withheld, Access.Kind kind, String name) {
        DefinitionKind k = kindOf(kind);
        return k != null && withheld.contains(new Key(k, name));
    }

    private static DefinitionKind kindOf(Access.Kind kind) {
        return switch (kind) {
            case TOOL -> DefinitionKind.TOOL;
            case PROMPT -> DefinitionKind.PROMPT;
            case RESOURCE_TEMPLATE -> DefinitionKind.RESOURCE_TEMPLATE;
            case RESOURCE -> null; // static resources are not pinned: their content is data, not instructions
        };
    }

    @Override
    public String name() {
        return "integrity";
    }
}
