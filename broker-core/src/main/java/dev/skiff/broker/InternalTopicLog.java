package dev.skiff.broker;

import dev.skiff.log.LogSlice;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Key/value records in an internal topic (committed offsets and group metadata, transaction state): written as
 * one batch per call, replayed in offset order at start. A key goes to partition abs(hash) % n, as Kafka places
 * groups and transactional ids.
 */
public final class InternalTopicLog {

    private static final int READ_CHUNK = 1 << 20;

    /** One record; a null value is a tombstone. */
    public record Entry(byte[] key, byte[] value) {}

    private final Topic topic;

    public InternalTopicLog(Topic topic) { this.topic = topic; }

    public Partition partitionFor(String key) {
        return topic.partition((key.hashCode() & 0x7fffffff) % topic.partitions().size());
    }

    /** Appends the entries as one batch; throws LogStorageException when the write fails. */
    public void append(Partition p, List<Entry> entries) {
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (Entry e : entries) b.append(now, e.key(), e.value());
        p.append(b.build());
    }

    /** Feeds every record of every partition to {@code sink} (value null for a tombstone). */
    public void replay(BiConsumer<byte[], byte[]> sink) {
        for (Partition p : topic.partitions()) {
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
}
