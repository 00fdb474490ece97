package dev.skiff.broker.coordinator;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.txn.MarkerWriter;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Transaction markers in a cluster: each data partition's marker is written by the broker that leads it, found
 * in the latest metadata image. The brokers share one process, so a marker goes to the leader by an in-process
 * call ({@code leaders}: broker id -> that broker's local writer, which refuses with NOT_LEADER_OR_FOLLOWER a
 * partition it does not lead), not over Kafka's WriteTxnMarkers request. A partition without a leader, or whose
 * leader refuses, is tried again as the image changes until {@code retryMs} has passed; then the write fails
 * and the coordinator's periodic check carries the decided commit or abort out later. Partitions of internal
 * topics get no marker, as on a single broker; a deleted topic needs none.
 */
public final class ClusterMarkerWriter implements MarkerWriter {

    private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Supplier<MetadataImage> image;
    private final IntFunction<MarkerWriter> leaders;
    private final long retryMs;
    private final LongSupplier clock;

    public ClusterMarkerWriter(Supplier<MetadataImage> image, IntFunction<MarkerWriter> leaders, long retryMs) {
        this(image, leaders, retryMs, System::currentTimeMillis);
    }

    ClusterMarkerWriter(
            Supplier<MetadataImage> image, IntFunction<MarkerWriter> leaders, long retryMs, LongSupplier clock) {
        this.image = image;
        this.leaders = leaders;
        this.retryMs = retryMs;
        this.clock = clock;
    }

    @Override
    public void write(Collection<TopicPartition> partitions, long producerId, short epoch, boolean commit) {
        for (TopicPartition tp : partitions) {
            if (InternalTopics.isInternal(tp.topic())) continue;
            writeOne(tp, producerId, epoch, commit);
        }
    }

    private void writeOne(TopicPartition tp, long producerId, short epoch, boolean commit) {
        long deadline = clock.getAsLong() + retryMs;
        ApiException last = null;
        while (true) {
            MetadataImage now = image.get();
            TopicImage t = now.topic(tp.topic());
            if (t == null) return; // deleted: nothing to mark
            PartitionRegistration p = t.partition(tp.partition());
            if (p == null) return;
            MarkerWriter leader = p.hasLeader() && now.isAlive(p.leader()) ? leaders.apply(p.leader()) : null;
            if (leader != null) {
                try {
                    leader.write(List.of(tp), producerId, epoch, commit);
                    return;
                } catch (ApiException e) {
                    if (!retriable(e.error())) throw e;
                    last = e;
                }
            }
            if (clock.getAsLong() >= deadline) {
                throw new ApiException(
                        Errors.COORDINATOR_NOT_AVAILABLE,
                        "no leader of " + tp + " took the transaction marker"
                                + (last == null ? "" : ": " + last.getMessage()),
                        last);
            }
            LockSupport.parkNanos(BACKOFF_NANOS);
        }
    }

    private static boolean retriable(Errors e) {
        return e == Errors.NOT_LEADER_OR_FOLLOWER
                || e == Errors.LEADER_NOT_AVAILABLE
                || e == Errors.UNKNOWN_TOPIC_OR_PARTITION
                || e == Errors.KAFKA_STORAGE_ERROR
                || e == Errors.NOT_ENOUGH_REPLICAS;
    }
}
