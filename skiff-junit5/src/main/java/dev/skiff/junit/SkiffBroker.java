package dev.skiff.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field to receive a broker started by {@link Skiff}, or names which one a parameter receives. The
 * field or parameter is an {@code EmbeddedSkiff},, a {@code String} for its bootstrap servers, or {@code Properties}: ready client properties (security
 * included). Instance
 * fields are set before each test; static fields before all tests (per-class brokers only).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface SkiffBroker {

    /** The {@link Skiff#name()} of the broker; empty picks the unnamed one, or the only one. */
    String value() default "";
}
