package dev.mcpwarden.server.tool;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a tool. Its parameters become the tool's arguments (a {@link ToolContext} parameter is
 * injected instead); it may return a {@link dev.mcpwarden.core.content.ToolResult}, a {@code String} (text), a
 * {@link dev.mcpwarden.core.content.Content} block, or any other value, which is returned as structured content.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface McpTool {
    /** The tool name; defaults to the method name. */
    String name() default "";

    String title() default "";

    String description();

    boolean readOnly() default false;

    boolean destructive() default false;

    boolean idempotent() default false;

    /** OAuth scopes a caller needs (enforced where an authenticator is installed). */
    String[] scopes() default {};

    /** The method never blocks (pure computation from memory): see {@link Tool.Builder#nonBlocking()}. */
    boolean nonBlocking() default false;

    /** Its whole output is third-party data: see {@link Tool.Builder#untrustedOutput()}. */
    boolean untrustedOutput() default false;

    /**
     * The fields of its structured content that carry third-party data (JSON Pointers or member names): see
     * {@link Tool.Builder#untrustedOutput(String...)}.
     */
    String[] untrustedFields() default {};
}
