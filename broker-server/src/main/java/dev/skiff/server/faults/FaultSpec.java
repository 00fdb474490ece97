package dev.skiff.server.faults;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.server.control.ControlContext;
import dev.skiff.server.control.Reply;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Describes a fault before installing it; a terminal method ({@link #respondWith}, {@link #delay},
 * {@link #dropConnection}) installs it. By default it catches the next matching request only.
 *
 * <pre>{@code
 * broker.faults().on(ApiKeys.PRODUCE).topic("orders").times(2).respondWith(Errors.NOT_LEADER_OR_FOLLOWER);
 * broker.faults().on(ApiKeys.FETCH).always().delay(Duration.ofMillis(300));
 * }</pre>
 */
public final class FaultSpec {

    private final FaultInjector owner;
    private final ApiKeys api;
    private String topic;
    private int partition = RequestTopics.ANY;
    private int times = 1;
    private long delayMillis;

    FaultSpec(FaultInjector owner, ApiKeys api) {
        this.owner = owner;
        this.api = Objects.requireNonNull(api, "api");
    }

    /** Only requests about this topic (APIs that name no topic then never match). */
    public FaultSpec topic(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
        return this;
    }

    /** Only requests about this partition of this topic. */
    public FaultSpec partition(String topic, int partition) {
        if (partition < 0) throw new IllegalArgumentException("partition must be >= 0: " + partition);
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        return this;
    }

    /** Catch the next {@code n} matching requests, then uninstall. */
    public FaultSpec times(int n) {
        if (n <= 0) throw new IllegalArgumentException("times must be > 0: " + n);
        this.times = n;
        return this;
    }

    /** Catch every matching request until {@link Fault#remove()}. */
    public FaultSpec always() {
        this.times = Fault.UNLIMITED;
        return this;
    }

    /** Wait this long before the outcome (the error answer or the drop). */
    public FaultSpec after(Duration delay) {
        this.delayMillis = millis(delay);
        return this;
    }

    /** Answer with this error instead of letting the broker handle the request. */
    public Fault respondWith(Errors error) {
        Objects.requireNonNull(error, "error");
        if (!ErrorResponses.supports(api)) {
            throw new IllegalArgumentException(
                    "No error answer for " + api + "; supported: " + ErrorResponses.supported());
        }
        Duration delay = Duration.ofMillis(delayMillis);
        String narrowedTo = topic;
        return install(
                "respond with " + error,
                (ctx, request) -> api == ApiKeys.METADATA
                        ? Reply.keep()
                                .thenEdit(r ->
                                        ErrorResponses.withTopicErrors((MetadataResponseData) r, error, narrowedTo))
                                .after(delay)
                        : Reply.answer(ErrorResponses.build(request, ctx.apiVersion(), error))
                                .after(delay));
    }

    /** Let the broker answer, but send the answer {@code delay} after the request arrived. */
    public Fault delay(Duration delay) {
        millis(delay);
        return install("delay " + delay.toMillis() + " ms", (ctx, request) -> Reply.delay(delay));
    }

    /** Close the connection instead of answering (the client sees a network error and reconnects). */
    public Fault dropConnection() {
        Duration delay = Duration.ofMillis(delayMillis);
        return install("drop the connection", (ctx, request) -> Reply.drop().after(delay));
    }

    private Fault install(String outcome, BiFunction<ControlContext, ApiMessage, Reply> reply) {
        return owner.install(new Fault(api, topic, partition, outcome), topic, partition, times, reply);
    }

    private static long millis(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("delay must not be negative: " + d);
        return d.toMillis();
    }
}
