package dev.mcpwarden.server.task;

/** What the stores say when an owner's tasks would keep more bytes than they may. */
public final class OwnerBytes {

    private OwnerBytes() {
    }

    /** The failed task's message (and error message) when its owner's tasks hold {@code max} bytes already. */
    public static String message(long max) {
        return "The task's result was not kept: the caller's tasks would hold more than " + max + " bytes";
    }
}
