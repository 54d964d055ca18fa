package dev.mcpwarden.redis;

import dev.mcpwarden.core.content.ToolResult;
import dev.mcpwarden.security.ratelimit.RateLimitRule;
import dev.mcpwarden.security.ratelimit.RateLimitStage;
import dev.mcpwarden.server.Controls;
import dev.mcpwarden.server.McpServer;
import dev.mcpwarden.server.http.HttpOptions;
import dev.mcpwarden.server.http.HttpTransport;
import dev.mcpwarden.server.lifecycle.Shutdown;
import dev.mcpwarden.server.tool.Tool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One replica, as its own process, for {@link ScaleOutTest}: sessions, events and rate limits in the Redis named by
 * its arguments; drains on SIGTERM, then closes its audit chain. Arguments: port, Redis URL, replica id, calls
 * allowed per hour, the audit directory (the chain is {@code audit-ID.jsonl} there).
 */
public final class ReplicaMain {

    private ReplicaMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String redisUrl = args[1];
        String replicaId = args[2];
        long perHour = Long.parseLong(args[3]);
        java.nio.file.Path auditDir = java.nio.file.Path.of(args[4]);
        dev.mcpwarden.security.audit.AuditConfig auditConfig = new dev.mcpwarden.security.audit.AuditConfig(
                java.util.Optional.of(auditDir.resolve("audit.jsonl")),
                dev.mcpwarden.security.audit.AuditLogOptions.defaults().withReplica(replicaId));
        dev.mcpwarden.security.audit.AuditLog log = dev.mcpwarden.security.audit.AuditLog.open(
                dev.mcpwarden.security.audit.AuditSink.file(auditConfig.chainFile().orElseThrow()),
                auditConfig.options(), java.time.InstantSource.system());
        dev.mcpwarden.security.audit.Audit audit = dev.mcpwarden.security.audit.Audit.to(
                dev.mcpwarden.security.audit.AuditTrail.of(log));
        RedisStores stores = RedisStores.connect(RedisStores.Settings.of(redisUrl));
        RedisRateLimiter limiter = new RedisRateLimiter(redisUrl, Duration.ofMillis(500), "warden:rl:");
        // Per hour, so that what the bucket refills during a test run is less than one call: the count is exact.
        RateLimitRule rule = new RateLimitRule("counted-calls", RateLimitRule.Key.PRINCIPAL_TOOL, perHour,
                Duration.ofHours(1), Set.of("tools/call"));
        Controls controls = Controls.builder().insecureWithoutAuthentication().listener(audit.listener())
                .rateLimit(new RateLimitStage(List.of(rule), List.of(), limiter,
                        RateLimitStage.WhenUnavailable.FAIL_CLOSED))
                .build();
        McpServer server = McpServer.builder("replica", "1.0.0").controls(controls)
                .tool(Tool.builder("replica").description("Names the replica that served the call")
                        .handler(ctx -> ToolResult.text(replicaId)).build())
                .tool(Tool.builder("counted").description("Does nothing; counted by the rate limit")
                        .handler(ctx -> ToolResult.text("counted")).build())
                // Four seconds: longer than a draining replica's notice (two), so that a drain hands streams over.
                .tool(Tool.builder("ticker").description("Reports eighty numbered ticks, 50 ms apart")
                        .handler(ctx -> {
                            for (int i = 1; i <= 80; i++) {
                                ctx.progress(i, 80.0, "tick " + i);
                                Thread.sleep(50);
                            }
                            return ToolResult.text("ticked 80 on " + replicaId);
                        }).build())
                .build();
        HttpOptions options = HttpOptions.loopback(port);
        HttpTransport http = HttpTransport.builder(server, options)
                .readiness("redis", stores::reachable)
                .sessions(stores.sessions(options.maxSessions(), options.sessionIdle(), Clock.systemUTC()))
                .events(stores.events(options.eventsPerSession(), options.sessionIdle()))
                .start();
        Shutdown.register(Shutdown.Phase.DRAIN, "replica", () -> {
            int cut = http.drain(Duration.ofSeconds(10));
            System.err.println("replica " + replicaId + " drained; calls cut short: " + cut);
            stores.close();
            limiter.close();
        });
        System.err.println("replica " + replicaId + " listening on " + http.uri());
        http.join();
    }
}
