package dev.mcpwarden.security.integrity;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Decides, for each listed definition, whether clients may see and use it, against the pins of a {@link PinStore}:
 * a pinned definition whose digest changed (a rug pull) is withheld until someone {@link #approve approves} the new
 * digest; a definition without a pin is withheld or served as {@link Unpinned} says; colliding names are all
 * withheld. Every such decision is recorded once per definition and digest as an {@link IntegrityEvent}, delivered
 * to the listener and kept until {@link #drainEvents()}.
 *
 * <p>The pipeline calls {@link #admitted(Collection)} when it builds a list result (which also detects removed pins
 * and name collisions) and {@link #admits(DefinitionKind, String, JsonNode)} before serving a call, get or read.
 * Thread-safe; digests are memoised per definition, so an unchanged definition costs an equality check per call.
 */
public final class IntegrityGate {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrityGate.class);

    /** What happens to a listed definition that has no pin. */
    public enum Unpinned {
        /** Keep it from clients until approved: the default whenever a pin file is configured. */
        WITHHOLD,
        /** Serve it (and record that it was served unpinned). */
        ALLOW
    }

    /** The gate's decision about one definition. */
    public record Admission(Definition definition, PinCheck.Status status, boolean admitted, String reason) {
    }

    /** A withheld definition awaiting approval: its pinned digest (null if new) and the digest now listed. */
    public record Pending(DefinitionKind kind, String name, String pinned, String live) {
    }

    private record Key(DefinitionKind kind, String name) {
    }

    private final PinStore store;
    private final Unpinned unpinned;
    private final InstantSource clock;
    private final Consumer<IntegrityEvent> listener;
    private volatile PinFile pins;
    private final Map<Key, Definition> memo = new ConcurrentHashMap<>();
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();
    private volatile Set<Key> collided = Set.of();
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<IntegrityEvent> events = new ConcurrentLinkedQueue<>();

    private IntegrityGate(Builder b) {
        this.store = b.store;
        this.unpinned = b.unpinned;
        this.clock = b.clock;
        this.listener = b.listener;
        this.pins = store.loadUnchecked();
        if (unpinned == Unpinned.ALLOW) {
            LOG.warn("tool integrity: definitions without a pin are served (unpinned=ALLOW); pin them with "
                    + "'warden scan --write-pins'");
        }
    }

    /** A gate over the pins of {@code store}; loads them now and fails if they cannot be read. */
    public static Builder builder(PinStore store) {
        return new Builder(store);
    }

    /** The pins in force. */
    public PinFile pins() {
        return pins;
    }

    /** The gate's decision about a definition (records an event the first time a digest is withheld). */
    public Admission check(Definition d) {
        Key key = new Key(d.kind(), d.name());
        if (collided.contains(key)) {
            return new Admission(d, PinCheck.compare(pins, d).status(), false, "name collides with another name of its kind");
        }
        PinCheck.Entry entry = PinCheck.compare(pins, d);
        return switch (entry.status()) {
            case UNCHANGED -> {
                pending.remove(key);
                yield new Admission(d, entry.status(), true, "pinned");
            }
            case CHANGED -> {
                pending.put(key, new Pending(d.kind(), d.name(), entry.pinned(), entry.live()));
                record(IntegrityEvent.Type.CHANGED_WITHHELD, d.kind(), d.name(), entry.pinned(), entry.live(), null,
                        "definition differs from its pin; withheld until approved");
                yield new Admission(d, entry.status(), false, "definition changed since it was pinned");
            }
            case NEW -> {
                if (unpinned == Unpinned.ALLOW) {
                    record(IntegrityEvent.Type.NEW_ALLOWED, d.kind(), d.name(), null, entry.live(), null,
                            "served without a pin");
                    yield new Admission(d, entry.status(), true, "not pinned; unpinned definitions are allowed");
                }
                pending.put(key, new Pending(d.kind(), d.name(), null, entry.live()));
                record(IntegrityEvent.Type.NEW_WITHHELD, d.kind(), d.name(), null, entry.live(), null,
                        "definition has no pin; withheld until approved");
                yield new Admission(d, entry.status(), false, "definition is not pinned");
            }
            case REMOVED -> throw new IllegalStateException("a listed definition is never REMOVED");
        };
    }

    /**
     * Whether a definition may be served. {@code name} is the name the request used; a definition whose own
     * identity differs is refused.
     */
    public boolean admits(DefinitionKind kind, String name, JsonNode definition) {
        if (definition == null || name == null) {
            return false;
        }
        Key key = new Key(kind, name);
        Definition known = memo.get(key);
        Definition d;
        if (known != null && known.json().equals(definition)) {
            d = known;
        } else {
            try {
                d = Definition.of(kind, definition);
            } catch (IllegalArgumentException e) {
                return false; // fail closed on a malformed definition
            }
            if (!d.name().equals(name)) {
                return false;
            }
            memo.put(key, d);
        }
        return check(d).admitted();
    }

    /**
     * The admitted definitions of a complete listing, in order. Also records pins no longer listed and withholds
     * every definition whose name collides with another of its kind (until the listing no longer collides).
     */
    public List<Definition> admitted(Collection<Definition> listing) {
        List<NameCollisions.Collision> collisions = NameCollisions.find(listing);
        Set<Key> colliding = ConcurrentHashMap.newKeySet();
        for (NameCollisions.Collision c : collisions) {
            c.names().forEach(n -> colliding.add(new Key(c.kind(), n)));
            for (String n : c.names()) {
                record(IntegrityEvent.Type.NAME_COLLISION, c.kind(), n, pins.digest(c.kind(), n).orElse(null), null,
                        null, c.toString());
            }
        }
        collided = Set.copyOf(colliding);
        List<Definition> out = new ArrayList<>();
        for (Definition d : listing) {
            memo.put(new Key(d.kind(), d.name()), d);
            if (check(d).admitted()) {
                out.add(d);
            }
        }
        for (PinCheck.Entry e : PinCheck.compare(pins, listing).with(PinCheck.Status.REMOVED)) {
            record(IntegrityEvent.Type.REMOVED, e.kind(), e.name(), e.pinned(), null, null,
                    "pinned definition is no longer listed");
        }
        return List.copyOf(out);
    }

    /** Withheld definitions awaiting approval, as last seen. */
    public List<Pending> pending() {
        return List.copyOf(pending.values());
    }

    /** The pending entry of one definition. */
    public Optional<Pending> pending(DefinitionKind kind, String name) {
        return Optional.ofNullable(pending.get(new Key(kind, name)));
    }

    /**
     * Pins {@code name} at {@code digest} (the digest the approver reviewed, as printed by {@code warden scan} or
     * carried by a withheld event), saves the pins to the store and records the approval. A live definition with
     * any other digest stays withheld, so an approval never covers a change nobody saw.
     */
    public synchronized PinFile approve(DefinitionKind kind, String name, String digest, String approver)
            throws IOException {
        Objects.requireNonNull(approver, "approver");
        String before = pins.digest(kind, name).orElse(null);
        PinFile next = pins.with(kind, name, digest);
        store.save(next);
        pins = next;
        Pending p = pending.get(new Key(kind, name));
        if (p != null && p.live().equals(digest)) {
            pending.remove(new Key(kind, name));
        }
        emit(IntegrityEvent.Type.APPROVED, kind, name, before, digest, approver, "pin updated in " + store);
        return next;
    }

    /**
     * Reads the store again and puts its pins in force when they differ, so that a pin file approved by another
     * process ({@code warden pins approve}) takes effect without a restart: a withheld definition whose live digest
     * is now pinned is served at once. Each pin that changed is recorded as {@link IntegrityEvent.Type#APPROVED} or
     * {@link IntegrityEvent.Type#PIN_REMOVED} with {@code actor}. A store that cannot be read or parsed keeps the pins
     * in force (a half-written or broken file never unpins anything) and says why in the log.
     *
     * @return whether other pins are now in force
     */
    public synchronized boolean reload(String actor) {
        Objects.requireNonNull(actor, "actor");
        PinFile next;
        try {
            next = store.load();
        } catch (IOException | RuntimeException e) {
            LOG.error("tool integrity: kept the pins in force; cannot reload {}: {}", store, e.getMessage());
            return false;
        }
        PinFile before = pins;
        if (next.equals(before)) {
            return false;
        }
        pins = next;
        for (DefinitionKind kind : DefinitionKind.values()) {
            Set<String> names = new java.util.TreeSet<>(before.pins(kind).keySet());
            names.addAll(next.pins(kind).keySet());
            for (String name : names) {
                String was = before.pins(kind).get(name);
                String now = next.pins(kind).get(name);
                if (Objects.equals(was, now)) {
                    continue;
                }
                Key key = new Key(kind, name);
                Pending p = pending.get(key);
                if (p != null && p.live().equals(now)) {
                    pending.remove(key);
                }
                if (now == null) {
                    emit(IntegrityEvent.Type.PIN_REMOVED, kind, name, was, null, actor, "pin removed from " + store);
                } else {
                    emit(IntegrityEvent.Type.APPROVED, kind, name, was, now, actor, "pin reloaded from " + store);
                }
            }
        }
        return true;
    }

    /** Removes a pin (after a definition was deliberately retired), saves and records it. */
    public synchronized PinFile removePin(DefinitionKind kind, String name, String approver) throws IOException {
        Objects.requireNonNull(approver, "approver");
        String before = pins.digest(kind, name).orElse(null);
        if (before == null) {
            return pins;
        }
        PinFile next = pins.without(kind, name);
        store.save(next);
        pins = next;
        emit(IntegrityEvent.Type.PIN_REMOVED, kind, name, before, null, approver, "pin removed from " + store);
        return next;
    }

    /** The events recorded since the last drain, oldest first. */
    public List<IntegrityEvent> drainEvents() {
        List<IntegrityEvent> out = new ArrayList<>();
        IntegrityEvent e;
        while ((e = events.poll()) != null) {
            out.add(e);
        }
        return out;
    }

    /** Records a decision once per (type, definition, pinned, live) so that repeated calls do not flood the log. */
    private void record(IntegrityEvent.Type type, DefinitionKind kind, String name, String pinnedDigest,
                        String live, String actor, String detail) {
        if (recorded.add(type + "\u0000" + kind + "\u0000" + name + "\u0000" + pinnedDigest + "\u0000" + live)) {
            emit(type, kind, name, pinnedDigest, live, actor, detail);
        }
    }

    private void emit(IntegrityEvent.Type type, DefinitionKind kind, String name, String pinnedDigest, String live,
                      String actor, String detail) {
        IntegrityEvent event = new IntegrityEvent(clock.instant(), type, kind, name, pinnedDigest, live, actor,
                detail);
        if (event.withheld()) {
            LOG.warn("tool integrity: {} {} {} (pinned {}, live {})", type, kind.pinKey(), name, pinnedDigest, live);
        }
        events.add(event);
        try {
            listener.accept(event);
        } catch (RuntimeException ex) {
            LOG.error("tool integrity listener failed on {}", type, ex);
        }
    }

    /** Builds an {@link IntegrityGate}. */
    public static final class Builder {
        private final PinStore store;
        private Unpinned unpinned = Unpinned.WITHHOLD;
        private InstantSource clock = InstantSource.system();
        private Consumer<IntegrityEvent> listener = e -> { };

        private Builder(PinStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** What to do with definitions that have no pin (default {@link Unpinned#WITHHOLD}). */
        public Builder unpinned(Unpinned policy) {
            this.unpinned = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Called synchronously with every event (in addition to {@link #drainEvents()}). */
        public Builder listener(Consumer<IntegrityEvent> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public IntegrityGate build() {
            return new IntegrityGate(this);
        }
    }
}
