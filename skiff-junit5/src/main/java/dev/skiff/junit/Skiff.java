package dev.skiff.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a Skiff broker for the annotated test class or method: a free port on 127.0.0.1 and a fresh temporary
 * data directory, deleted when the broker stops. Tests get it as an {@code EmbeddedSkiff} parameter (test
 * method, constructor, lifecycle method) or in a field annotated {@link SkiffBroker}.
 *
 * <pre>{@code
 * @Skiff(topics = "orders:3")
 * class OrderTest {
 *     @Test
 *     void sends(EmbeddedSkiff broker) { ... broker.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * On a class the broker serves every test of the class ({@link Lifecycle#PER_CLASS}, the default) or a new one
 * serves each test ({@link Lifecycle#PER_METHOD}); on a method, the method gets its own broker. Repeat the
 * annotation with distinct {@link #name()}s for several brokers, and pick one with {@code @SkiffBroker("name")}.
 * Each broker is independent of the others, so tests may run in parallel.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(Skiffs.class)
@ExtendWith(SkiffExtension.class)
public @interface Skiff {

    /** When a class-level broker starts and stops. */
    enum Lifecycle {
        /** Started before the first test of the class, stopped after the last. */
        PER_CLASS,
        /** Started before each test, stopped after it: no state leaks from one test to the next. */
        PER_METHOD
    }

    /** Tells brokers apart when there are several; {@code @SkiffBroker("name")} selects one. */
    String name() default "";

    /** For a class-level broker: one for the class (default) or one per test. A method-level one is per method. */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    /** Topics created at start, as {@code "name:partitions"} or {@code "name"} (num.partitions, else 1). */
    String[] topics() default {};

    /** Broker properties with Kafka's key names, as {@code "key=value"}, e.g. {@code "num.partitions=3"}. */
    String[] properties() default {};

    /** Keep the logs in memory: no data directory at all. */
    boolean inMemory() default false;

    /**
     * Serve the web console and {@code /metrics} on a free port of 127.0.0.1: {@code EmbeddedSkiff.consoleUrl()}
     * gives the address to look at the broker's topics, messages, groups and lag while a test runs.
     */
    boolean console() default false;

    /** Also run a ZooKeeper server on a free port with this broker registered (Kafka 0.8 consumers). */
    boolean zookeeper() default false;

    /**
     * Serve TLS (SSL, or SASL_SSL with {@link #sasl()}) with a certificate made at start; clients get the trust
     * store from a {@code Properties} parameter or {@code EmbeddedSkiff.trustStore()}.
     */
    boolean tls() default false;

    /** SASL mechanisms the listener requires, e.g. {@code "PLAIN"} or {@code "SCRAM-SHA-512"}. */
    String[] sasl() default {};

    /** SASL users as {@code "name:password"}; a {@code Properties} parameter logs in as the first. */
    String[] users() default {};

    /** Client certificates to make, by name (subject {@code CN=<name>}); TLS client authentication is then required. */
    String[] clientCertificates() default {};

    /** Where SASL mechanisms come from; {@code SaslProvider.class} (the default) means the broker's own. */
    Class<? extends dev.skiff.server.SaslProvider> saslProvider() default dev.skiff.server.SaslProvider.class;

    /**
     * Brokers in the cluster (default 1). With more, tests receive the {@code SkiffCluster} (a parameter or
     * {@code @SkiffBroker} field of that type) to stop, kill and restart brokers, move leaders and cut
     * replication; an {@code EmbeddedSkiff} or String receives the cluster's facade and bootstrap servers.
     */
    int brokers() default 1;

    /**
     * Authorize every request with Kafka's ACL rules (StandardAuthorizer's: nothing without an ACL, but to
     * {@link #superUsers()}). Also on when {@link #superUsers()} or {@link #acls()} are given. Over plain text,
     * {@code EmbeddedSkiff.clientProperties("alice")} then acts as User:alice through a client-id test aid.
     */
    boolean authorizer() default false;

    /** Principals allowed everything ({@code super.users}): {@code "admin"} or {@code "User:admin"}. */
    String[] superUsers() default {};

    /**
     * ACLs in place at start, one per line: {@code PRINCIPAL ALLOW|DENY OPERATION[,OPERATION...] TYPE[:NAME]
     * [PREFIXED] [HOST:host]}, e.g. {@code "User:alice ALLOW READ TOPIC:orders"},
     * {@code "User:alice ALLOW READ GROUP:billing- PREFIXED"}, {@code "bob ALLOW WRITE,DESCRIBE TOPIC:*"},
     * {@code "admin ALLOW ALL CLUSTER"} (see {@code dev.skiff.broker.security.acl.AclSpecs}).
     */
    String[] acls() default {};
}
