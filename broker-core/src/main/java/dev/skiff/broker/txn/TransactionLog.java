package dev.skiff.broker.txn;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The compacted internal topic {@code __transaction_state}: one record per state transition, keyed by
 * transactional id (the latest one is the state), written before the transition is acknowledged and replayed
 * in offset order at start. A transactional id goes to partition abs(hash) % n, as Kafka places them.
 */
final class TransactionLog {

    static final String TOPIC = "__transaction_state";
    private static final int READ_CHUNK = 1 << 20;

    private final Topic topic;

    TransactionLog(TopicManager topics, BrokerConfig config) {
        String n = config.get("transaction.state.log.num.partitions");
        int partitions = n == null ? 1 : Math.max(1, Integer.parseInt(n.trim()));
        this.topic = topics.getOrCreateInternal(TOPIC, partitions, Map.of(TopicConfig.CLEANUP_POLICY, "compact",
                TopicConfig.SEGMENT_BYTES, Integer.toString(100 * 1024 * 1024)));
    }

    /** Appends the state (null: a tombstone, the id is forgotten); throws LogStorageException on failure. */
    void write(String transactionalId, TransactionMetadata state) {
        byte[] value = state == null ? null : TransactionRecords.value(state);
        ByteBuffer batch = new RecordBatchBuilder(CompressionType.NONE)
                .append(System.currentTimeMillis(), TransactionRecords.key(transactionalId), value).build();
        partitionFor(transactionalId).append(batch);
    }

    /** Feeds every record in offset order to {@code sink} (value null for a tombstone). */
    void replay(BiConsumer<byte[], byte[]> sink) {
        for (Partition p : topic.partitions()) {
            long offset = p.logStartOffset();
            while (offset < p.log().logEndOffset()) {
                LogSlice slice = p.read(offset, READ_CHUNK, true);
                if (slice.size() == 0) break;
                long before = offset;
                for (RecordBatch batch : RecordBatches.batches(slice.readFully())) {
                    if (!batch.isControl()) {
                        try (RecordIterator it = batch.records()) {
                            while (it.hasNext()) {
                                Record r = it.next();
                                if (r.offset() >= offset && r.key() != null) sink.accept(Record.bytes(r.key()), Record.bytes(r.value()));
                            }
                        }
                    }
                    offset = Math.max(offset, batch.nextOffset());
                }
                if (offset == before) break;
            }
        }
    }

    private Partition partitionFor(String transactionalId) {
        return topic.partition((transactionalId.hashCode() & 0x7fffffff) % topic.partitions().size());
    }
}
