package dev.mcpwarden.server.pipeline;

/** The rest of the pipeline after the current stage. */
@FunctionalInterface
public interface Chain<E, R> {
    R proceed(E exchange);
}
