package dev.mcpwarden.server.tool;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Describes a tool parameter (a method parameter or a record component). */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.FIELD})
public @interface Param {
    /** The argument name; defaults to the Java name (compile with {@code -parameters}). */
    String name() default "";

    String description() default "";

    /** Whether the argument must be present; {@code Optional} parameters are never required. */
    boolean required() default true;
}
