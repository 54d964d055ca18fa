package dev.mcpwarden.gateway;

import dev.mcpwarden.server.auth.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of a stdio upstream with {@link UpstreamConfig.Isolation.Mode#PER_PRINCIPAL isolation per
 * principal}: one {@link Upstream} per principal (its own process, sandbox and cgroup, restarted as any upstream is),
 * started on the principal's first call. At most {@code maxProcesses} at once: when full, the least recently used one
 * without a call in flight is stopped; one idle for {@code idleTimeout} is stopped.
 */
final class PrincipalProcesses implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrincipalProcesses.class);

    /** Starts a principal's process (connects an upstream of the same command and sandbox). */
    @FunctionalInterface
    interface Starter {
        Upstream start() throws GatewayException;
    }

    /** One principal's process; its fields are guarded by the {@link PrincipalProcesses}' lock but the start. */
    private static final class Process {
        final String key;
        volatile Upstream upstream;
        int inFlight;
        long lastUsed;

        Process(String key, long now) {
            this.key = key;
            this.lastUsed = now;
        }
    }

    /** A principal's process in use by one call; {@link #close() closed} when the call is done. */
    final class Lease implements AutoCloseable {
        private final Process process;
        private boolean released;

        private Lease(Process process) {
            this.process = process;
        }

        Upstream upstream() {
            return process.upstream;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                release(process);
            }
        }
    }

    private final String name;
    private final int maxProcesses;
    private final long idleNanos;
    private final Starter starter;
    /** In access order: the first is the least recently used. */
    private final LinkedHashMap<String, Process> byKey = new LinkedHashMap<>(16, 0.75f, true);
    private final ScheduledExecutorService reaper;
    private boolean closed;

    PrincipalProcesses(String name, UpstreamConfig.Isolation isolation, Starter starter) {
        this.name = name;
        this.maxProcesses = isolation.maxProcesses();
        this.idleNanos = isolation.idleTimeout().toNanos();
        this.starter = starter;
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("warden-gateway-idle-" + name).unstarted(r));
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(idleNanos / 4, Duration.ofSeconds(30).toNanos()));
        reaper.scheduleWithFixedDelay(this::stopIdle, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Whose process serves a call: the principal's subject and issuer, and its tenant where it has one (the client
     * it called through does not matter); every anonymous caller is one.
     */
    static String key(Principal principal) {
        if (principal == null || principal.equals(Principal.ANONYMOUS)) {
            return "anonymous";
        }
        return principal.issuer() + "\u0000" + principal.subject() + "\u0000"
                + (principal.tenant() == null ? "" : principal.tenant());
    }

    /**
     * The process of {@code key}, started now if it has none, held for one call.
     *
     * @throws Upstream.Unavailable when every process is busy and the limit is reached, or the process cannot start
     */
    Lease lease(String key) {
        Process p;
        Upstream stop = null;
        synchronized (this) {
            if (closed) {
                throw new Upstream.Unavailable(UpstreamFailure.Kind.UNAVAILABLE, "Upstream " + name + " is stopping");
            }
            p = byKey.get(key);
            if (p == null) {
                if (byKey.size() >= maxProcesses) {
                    Process victim = null;
                    for (Process q : byKey.values()) {
                        if (q.inFlight == 0) {
                            victim = q;
                            break;
                        }
                    }
                    if (victim == null) {
                        throw new Upstream.Unavailable(UpstreamFailure.Kind.BUSY, "Upstream " + name + " has "
                                + maxProcesses + " per-principal processes busy, its limit");
                    }
                    byKey.remove(victim.key);
                    stop = victim.upstream;
                }
                p = new Process(key, System.nanoTime());
                byKey.put(key, p);
            }
            p.inFlight++;
        }
        if (stop != null) {
            LOG.info("upstream {}: the least recently used principal's process is stopped, to start another ({} is "
                    + "the limit)", name, maxProcesses);
            stop.close();
        }
        Lease lease = new Lease(p);
        synchronized (p) { // the first call of a principal starts its process; the others of it wait for that
            if (p.upstream == null) {
                try {
                    p.upstream = starter.start();
                    LOG.info("upstream {}: a principal's process started ({} running)", name, size());
                } catch (GatewayException | RuntimeException e) {
                    LOG.warn("upstream {}: a principal's process did not start: {}", name, e.getMessage());
                    synchronized (this) {
                        byKey.remove(key, p);
                    }
                    lease.close();
                    throw new Upstream.Unavailable(UpstreamFailure.Kind.UNAVAILABLE, "Upstream " + name + " could not start a process for this "
                            + "caller");
                }
                boolean late;
                synchronized (this) {
                    late = closed || byKey.get(key) != p;
                }
                if (late) {
                    p.upstream.close();
                    lease.close();
                    throw new Upstream.Unavailable(UpstreamFailure.Kind.UNAVAILABLE, "Upstream " + name + " is stopping");
                }
            }
        }
        return lease;
    }

    private void release(Process p) {
        synchronized (this) {
            p.inFlight--;
            p.lastUsed = System.nanoTime();
        }
    }

    /** Stops the processes idle for longer than the idle timeout. */
    void stopIdle() {
        List<Upstream> stop = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            for (Iterator<Map.Entry<String, Process>> it = byKey.entrySet().iterator(); it.hasNext(); ) {
                Process p = it.next().getValue();
                if (p.inFlight == 0 && now - p.lastUsed >= idleNanos && p.upstream != null) {
                    it.remove();
                    stop.add(p.upstream);
                }
            }
        }
        for (Upstream u : stop) {
            LOG.info("upstream {}: a principal's idle process is stopped", name);
            try {
                u.close();
            } catch (RuntimeException e) {
                LOG.warn("upstream {}: stopping an idle process failed", name, e);
            }
        }
    }

    /** How many principals' processes there are now (started or starting). */
    synchronized int size() {
        return byKey.size();
    }

    @Override
    public void close() {
        List<Process> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(byKey.values());
            byKey.clear();
        }
        reaper.shutdownNow();
        for (Process p : all) {
            Upstream u = p.upstream; // one still starting is stopped by its starter, which sees closed
            if (u != null) {
                u.close();
            }
        }
    }
}
