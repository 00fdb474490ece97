package dev.skiff.broker;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The broker's own appends (coordinator records, transaction markers) a request made, so that its answer waits
 * until they are replicated: Kafka writes coordinator state and markers with acks=-1 and answers the client only
 * once the in-sync replicas have them. Otherwise a coordinator killed right after answering leaves a new leader
 * without the state its client was told of (a producer id the new coordinator does not know).
 *
 * <p>The coordinators write synchronously on the thread handling the request, so {@link #track} collects, for that
 * thread, the end offset of every leader append {@link Partition#append} makes while the action runs; the future
 * {@link #replicated} returns completes once each of those partitions' high watermark has reached it. A partition
 * without a replica role (a single broker) needs no wait. Nothing here blocks.
 */
public final class ReplicatedWrites {

    /** How long an answer waits for its writes to be replicated, as Kafka's coordinators time out appends. */
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    private static final ThreadLocal<Map<Partition, Long>> CURRENT = new ThreadLocal<>();

    private final Map<Partition, Long> ends;

    private ReplicatedWrites(Map<Partition, Long> ends) {
        this.ends = ends;
    }

    /** The result of an action, with the writes it made. */
    public record Tracked<T>(T result, ReplicatedWrites writes) {}

    /**
     * Runs {@code action}, collecting the leader appends it makes on this thread. If it throws, the exception
     * goes on (its writes are not waited for: the client hears an error).
     */
    public static <T> Tracked<T> track(Supplier<T> action) {
        Map<Partition, Long> outer = CURRENT.get();
        Map<Partition, Long> mine = new LinkedHashMap<>();
        CURRENT.set(mine);
        try {
            T result = action.get();
            return new Tracked<>(result, new ReplicatedWrites(mine));
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                mine.forEach((p, end) -> outer.merge(p, end, Math::max)); // the enclosing request waits too
                CURRENT.set(outer);
            }
        }
    }

    /** Called by {@link Partition#append} after a leader append: {@code end} is the offset after it. */
    static void appended(Partition p, long end) {
        Map<Partition, Long> m = CURRENT.get();
        if (m != null) m.merge(p, end, Math::max);
    }

    /** The partitions written, with the offset after the last write to each (tests). */
    public Map<TopicPartition, Long> ends() {
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        ends.forEach((p, end) -> out.put(p.id(), end));
        return out;
    }

    /**
     * Completes once every write is replicated (its partition's high watermark reached it); completes
     * exceptionally with an {@link ApiException}: NOT_COORDINATOR when a partition's leadership moved away,
     * COORDINATOR_NOT_AVAILABLE when the replicas did not catch up within {@code timeoutMs}.
     */
    public CompletableFuture<Void> replicated(long timeoutMs) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Map.Entry<Partition, Long> w : ends.entrySet()) {
            Partition p = w.getKey();
            if (p.role() == null || p.highWatermark() >= w.getValue()) continue;
            CompletableFuture<Errors> done = p.awaitHighWatermark(w.getValue());
            all.add(done.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).handle((error, failure) -> {
                if (failure != null) {
                    p.cancelHighWatermarkWait(done);
                    if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null)
                        failure = failure.getCause();
                    if (failure instanceof TimeoutException)
                        throw new ApiException(
                                Errors.COORDINATOR_NOT_AVAILABLE,
                                "the replicas of " + p.id() + " did not catch up within " + timeoutMs + " ms");
                    throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, failure.toString(), failure);
                }
                if (error != Errors.NONE)
                    throw new ApiException(
                            error == Errors.NOT_LEADER_OR_FOLLOWER
                                    ? Errors.NOT_COORDINATOR
                                    : Errors.COORDINATOR_NOT_AVAILABLE,
                            "a write to " + p.id() + " was not replicated: " + error);
                return null;
            }));
        }
        if (all.isEmpty()) return CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** {@link #replicated(long)} with {@link #DEFAULT_TIMEOUT_MS}. */
    public CompletableFuture<Void> replicated() {
        return replicated(DEFAULT_TIMEOUT_MS);
    }

    /**
     * Handles a request with {@code handler}, whose answer is given once the writes it made are replicated
     * (or fails with the error they failed with, which the dispatcher answers). What {@code handler} throws
     * goes on.
     */
    public static <T> CompletableFuture<T> answerWhenReplicated(Supplier<CompletableFuture<T>> handler) {
        Tracked<CompletableFuture<T>> t = track(handler);
        return t.writes().replicated().thenCompose(x -> t.result());
    }
}
