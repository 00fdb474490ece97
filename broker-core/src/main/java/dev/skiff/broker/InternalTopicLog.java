package dev.skiff.broker;

import dev.skiff.config.TopicConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.Message;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolReader;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import io.netty.buffer.Unpooled;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key/value records in a compacted internal topic (committed offsets and group metadata, transaction state):
 * written as one batch per call, replayed in offset order at start. A key goes to partition abs(hash) % n, as
 * Kafka places groups and transactional ids. The topic is created by the first write, so a broker that never
 * uses it starts without its files; one that exists is replayed. Keys and values are Kafka's: an int16 version
 * (for keys, the record type) followed by the generated record of that version.
 */
public final class InternalTopicLog {

    private static final Logger log = LoggerFactory.getLogger(InternalTopicLog.class);
    private static final int READ_CHUNK = 1 << 20;
    private static final int SEGMENT_BYTES = 100 * 1024 * 1024;
    /** The longest string a record holds: an int16 length, as Kafka's generated code checks. */
    public static final int MAX_STRING_BYTES = Short.MAX_VALUE;

    /** One record; a null value is a tombstone. */
    public record Entry(byte[] key, byte[] value) {}

    /** Receives replayed records; whatever it throws marks that record unreadable, and it is skipped. */
    public interface Sink {
        void accept(byte[] key, byte[] value);
    }

    private final TopicManager topics;
    private final String name;
    private final int partitions;
    private final int maxBatchBytes;
    /** Null until the topic exists: found at start, or created by the first write. */
    private volatile Topic topic;

    public InternalTopicLog(TopicManager topics, String name, int partitions, int maxBatchBytes) {
        this.topics = topics;
        this.name = name;
        this.partitions = partitions;
        this.maxBatchBytes = maxBatchBytes;
        this.topic = topics.get(name);
    }

    public String name() {
        return name;
    }

    /** Whether a string fits the int16 length of a record field (null fits where the field is nullable). */
    public static boolean fits(String s) {
        return s == null
                || s.length() <= MAX_STRING_BYTES / 3
                || s.getBytes(StandardCharsets.UTF_8).length <= MAX_STRING_BYTES;
    }

    /** A value: the int16 version, then the record written in that version. */
    public static byte[] serialize(short version, Message record) {
        return serialize(version, version, record);
    }

    /** A key: the record type (Kafka's "key version"), then the key record in its own version. */
    public static byte[] serialize(short prefix, short version, Message record) {
        ProtocolWriter out = new ProtocolWriter();
        try {
            out.writeInt16(prefix);
            record.write(out, version);
            return out.toByteArray();
        } catch (ProtocolException e) {
            out.release();
            // a field the record cannot hold: nothing is written
            throw new ApiException(
                    Errors.UNKNOWN_SERVER_ERROR, "cannot serialize an internal record: " + e.getMessage(), e);
        }
    }

    /** A reader of a key or value positioned after its int16 version. */
    public static ProtocolReader reader(byte[] bytes) {
        return new ProtocolReader(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Appends the entries as one batch to the key's partition. A failure is an {@link ApiException} carrying
     * the storage error as Kafka's log would answer it (KAFKA_STORAGE_ERROR, MESSAGE_TOO_LARGE); each
     * coordinator maps it to the answer its clients expect.
     */
    public void append(String key, List<Entry> entries) {
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (Entry e : entries) b.append(now, e.key(), e.value());
        ByteBuffer batch = b.build();
        if (batch.remaining() > maxBatchBytes) {
            throw new ApiException(
                    Errors.MESSAGE_TOO_LARGE,
                    "a batch of " + batch.remaining() + " bytes for " + name + " exceeds " + maxBatchBytes);
        }
        try {
            Topic t = topic();
            t.partition(partitionFor(key, t.partitions().size())).append(batch);
        } catch (LogStorageException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, "cannot append to " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a coordinator answers when its append failed, as Kafka's coordinators map log errors: a log that
     * cannot be written means this broker cannot coordinate (NOT_COORDINATOR, the client looks again); a
     * batch too large is {@code whenTooLarge} (INVALID_COMMIT_OFFSET_SIZE for offset commits, else
     * UNKNOWN_SERVER_ERROR); a missing partition or a timeout COORDINATOR_NOT_AVAILABLE.
     */
    public static ApiException coordinatorError(ApiException appendFailure, Errors whenTooLarge) {
        Errors e = switch (appendFailure.error()) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> whenTooLarge;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
        return new ApiException(e, appendFailure.getMessage(), appendFailure);
    }

    public static int partitionFor(String key, int partitions) {
        return (key.hashCode() & 0x7fffffff) % partitions;
    }

    /** The partition count keys are placed over: the topic's when it exists, else the configured one. */
    public int partitionCount() {
        Topic t = topics.get(name);
        return t == null ? partitions : t.partitions().size();
    }

    /** The partition of this topic that holds {@code key}. */
    public int partitionOf(String key) {
        return partitionFor(key, Math.max(1, partitionCount()));
    }

    /**
     * Feeds every record of one partition to {@code sink}, as {@link #replay(Sink)} does for all: what a
     * coordinator loads when it becomes the leader of that partition. Nothing if the partition is not here.
     */
    public void replay(int partition, Sink sink) {
        Topic t = topics.get(name);
        if (t == null) return;
        topic = t;
        Partition p = t.partition(partition);
        if (p == null) return;
        try {
            replay(p, sink);
        } catch (RuntimeException e) { // the partition cannot be read on: keep what was loaded
            log.warn("Skipping the rest of {}-{}: {}", name, p.index(), e.toString());
        }
    }

    /**
     * Feeds every record of every partition to {@code sink} (value null for a tombstone); nothing if none yet.
     * A record or batch that cannot be read is logged with its topic, partition and offset and skipped: loading
     * internal state never stops a start.
     */
    public void replay(Sink sink) {
        Topic t = topic;
        if (t == null) return;
        for (Partition p : t.partitions()) {
            try {
                replay(p, sink);
            } catch (RuntimeException e) { // the partition cannot be read on: keep what was loaded
                log.warn("Skipping the rest of {}-{}: {}", name, p.index(), e.toString());
            }
        }
    }

    private void replay(Partition p, Sink sink) {
        long offset = p.logStartOffset();
        while (offset < p.log().logEndOffset()) {
            LogSlice slice = p.read(offset, READ_CHUNK, true);
            if (slice.size() == 0) break;
            long before = offset;
            ByteBuffer buf = slice.readFully();
            for (RecordBatch batch : RecordBatches.batches(buf)) {
                long next = batch.nextOffset();
                if (!batch.isControl()) {
                    try {
                        batch.ensureValid();
                        replayBatch(p, batch, offset, sink);
                    } catch (RuntimeException e) {
                        log.warn(
                                "Skipping unreadable batch of {}-{} at offset {}: {}",
                                name,
                                p.index(),
                                batch.baseOffset(),
                                e.toString());
                    }
                }
                offset = Math.max(offset, next);
            }
            if (offset == before) break; // nothing whole was read: stop rather than spin
        }
    }

    private void replayBatch(Partition p, RecordBatch batch, long from, Sink sink) {
        try (RecordIterator it = batch.records()) {
            while (it.hasNext()) {
                Record r = it.next();
                if (r.offset() < from || r.key() == null) continue;
                try {
                    sink.accept(Record.bytes(r.key()), Record.bytes(r.value()));
                } catch (RuntimeException e) {
                    log.warn(
                            "Skipping unreadable record of {}-{} at offset {}: {}",
                            name,
                            p.index(),
                            r.offset(),
                            e.toString());
                }
            }
        }
    }

    private Topic topic() {
        Topic current = topics.get(name);
        if (current != null) topic = current;
        Topic t = topic;
        if (t != null) return t;
        synchronized (this) {
            if (topic == null) {
                try {
                    topic = topics.getOrCreateInternal(
                            name,
                            partitions,
                            Map.of(
                                    TopicConfig.CLEANUP_POLICY,
                                    "compact",
                                    TopicConfig.SEGMENT_BYTES,
                                    Integer.toString(SEGMENT_BYTES)));
                } catch (UncheckedIOException e) { // a failed write, as an append failure reads to callers
                    throw new LogStorageException("cannot create " + name + ": " + e.getMessage(), e);
                }
            }
            return topic;
        }
    }
}
