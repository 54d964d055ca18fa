package dev.mcpwarden.security.ratelimit;

import java.time.InstantSource;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes the {@link RateLimiter} a {@link LimiterConfig} describes. The local limiter is built in; others (Redis, in
 * warden-redis) register themselves with {@link ServiceLoader}, so configuring one only needs its module on the
 * class path.
 */
public interface RateLimiterFactory {

    /** The limiter for {@code config}, or empty when this factory does not make that kind. */
    Optional<RateLimiter> create(LimiterConfig config, InstantSource clock);

    /**
     * The limiter {@code config} describes, from the built-in local limiter or a registered factory.
     *
     * @throws IllegalArgumentException when no factory makes it, naming the module to add
     */
    static RateLimiter of(LimiterConfig config, InstantSource clock) {
        if (config instanceof LimiterConfig.Local local) {
            return new LocalRateLimiter(local.maxKeys(), clock);
        }
        for (RateLimiterFactory f : ServiceLoader.load(RateLimiterFactory.class)) {
            Optional<RateLimiter> made = f.create(config, clock);
            if (made.isPresent()) {
                return made.get();
            }
        }
        throw new IllegalArgumentException("no rate limiter for " + config.getClass().getSimpleName().toLowerCase(
                java.util.Locale.ROOT) + ": add the module that provides it (warden-redis for redis) to the class path");
    }
}
