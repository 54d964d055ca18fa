package dev.mcpwarden.server.lifecycle;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process does when it is told to stop (SIGTERM, Ctrl+C), in order: first every transport drains (stops
 * taking requests, lets calls in flight finish, hands its streams over), then every audit log is flushed and
 * closed, so the records of the last calls are written. The JVM runs its own shutdown hooks all at once and in no
 * order; this is one hook that runs the phases one after the other.
 */
public final class Shutdown {

    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    /** The phases, in the order they run. */
    public enum Phase {
        /** Transports stop taking requests and finish what is in flight. */
        DRAIN,
        /** Audit logs and other sinks write what they hold and close. */
        FLUSH
    }

    /** An action registered for shutdown; cancel it when what it stops was closed before. */
    public interface Registration {
        void cancel();
    }

    private static final Map<Phase, List<Runnable>> ACTIONS = new EnumMap<>(Phase.class);
    private static boolean hooked;
    private static boolean running;

    private Shutdown() {
    }

    /**
     * Runs {@code action} when the process is told to stop, after every action of the phases before
     * {@code phase}. Actions of one phase run one after another, in the order registered.
     */
    public static synchronized Registration register(Phase phase, String name, Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        Runnable named = () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("shutdown action {} failed", name, e);
            }
        };
        if (running) {
            named.run(); // registered while stopping: nothing will call it later
            return () -> { };
        }
        ACTIONS.computeIfAbsent(phase, p -> new ArrayList<>()).add(named);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Shutdown::runAll, "warden-shutdown"));
        }
        return () -> {
            synchronized (Shutdown.class) {
                List<Runnable> list = ACTIONS.get(phase);
                if (list != null) {
                    list.remove(named);
                }
            }
        };
    }

    private static void runAll() {
        for (Phase phase : Phase.values()) {
            List<Runnable> now;
            synchronized (Shutdown.class) {
                running = true;
                now = new ArrayList<>(ACTIONS.getOrDefault(phase, List.of()));
            }
            now.forEach(Runnable::run);
        }
    }
}
