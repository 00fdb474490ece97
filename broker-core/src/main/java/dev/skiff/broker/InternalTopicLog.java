package dev.skiff.broker;

import dev.skiff.config.TopicConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Key/value records in a compacted internal topic (committed offsets and group metadata, transaction state):
 * written as one batch per call, replayed in offset order at start. A key goes to partition abs(hash) % n, as
 * Kafka places groups and transactional ids. The topic is created by the first write, so a broker that never
 * uses it starts without its files; one that exists is replayed.
 */
public final class InternalTopicLog {

    private static final int READ_CHUNK = 1 << 20;
    private static final int SEGMENT_BYTES = 100 * 1024 * 1024;

    /** One record; a null value is a tombstone. */
    public record Entry(byte[] key, byte[] value) {}

    private final TopicManager topics;
    private final String name;
    private final int partitions;
    /** Null until the topic exists: found at start, or created by the first write. */
    private volatile Topic topic;

    public InternalTopicLog(TopicManager topics, String name, int partitions) {
        this.topics = topics;
        this.name = name;
        this.partitions = partitions;
        this.topic = topics.get(name);
    }

    /** Appends the entries as one batch to the key's partition; throws LogStorageException when that fails. */
    public void append(String key, List<Entry> entries) {
        Topic t = topic();
        Partition p = t.partition((key.hashCode() & 0x7fffffff) % t.partitions().size());
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (Entry e : entries) b.append(now, e.key(), e.value());
        p.append(b.build());
    }

    /** Feeds every record of every partition to {@code sink} (value null for a tombstone); nothing if none yet. */
    public void replay(BiConsumer<byte[], byte[]> sink) {
        Topic t = topic;
        if (t == null) return;
        for (Partition p : t.partitions()) {
            long offset = p.logStartOffset();
            while (offset < p.log().logEndOffset()) {
                LogSlice slice = p.read(offset, READ_CHUNK, true);
                if (slice.size() == 0) break;
                long before = offset;
                ByteBuffer buf = slice.readFully();
                for (RecordBatch batch : RecordBatches.batches(buf)) {
                    if (!batch.isControl()) {
                        try (RecordIterator it = batch.records()) {
                            while (it.hasNext()) {
                                Record r = it.next();
                                if (r.offset() >= offset && r.key() != null)
                                    sink.accept(Record.bytes(r.key()), Record.bytes(r.value()));
                            }
                        }
                    }
                    offset = Math.max(offset, batch.nextOffset());
                }
                if (offset == before) break; // nothing whole was read: stop rather than spin
            }
        }
    }

    private Topic topic() {
        Topic t = topic;
        if (t != null) return t;
        synchronized (this) {
            if (topic == null) {
                try {
                    topic = topics.getOrCreateInternal(name, partitions, Map.of(TopicConfig.CLEANUP_POLICY, "compact",
                            TopicConfig.SEGMENT_BYTES, Integer.toString(SEGMENT_BYTES)));
                } catch (UncheckedIOException e) { // a failed write, as an append failure reads to callers
                    throw new LogStorageException("cannot create " + name + ": " + e.getMessage(), e);
                }
            }
            return topic;
        }
    }
}
