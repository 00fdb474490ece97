package dev.skiff.broker.txn;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The compacted internal topic {@code __transaction_state}: one record per state transition, keyed by
 * transactional id (the latest one is the state), written before the transition is acknowledged and replayed
 * in offset order at start. A transactional id goes to partition abs(hash) % n, as Kafka places them.
 */
final class TransactionLog {

    static final String TOPIC = "__transaction_state";

    private final InternalTopicLog log;

    TransactionLog(TopicManager topics, BrokerConfig config) {
        String n = config.get("transaction.state.log.num.partitions");
        int partitions = n == null ? 1 : Math.max(1, Integer.parseInt(n.trim()));
        this.log = new InternalTopicLog(topics, TOPIC, partitions);
    }

    /** Appends the state (null: a tombstone, the id is forgotten); throws LogStorageException on failure. */
    void write(String transactionalId, TransactionMetadata state) {
        byte[] value = state == null ? null : TransactionRecords.value(state);
        log.append(transactionalId, List.of(new InternalTopicLog.Entry(TransactionRecords.key(transactionalId), value)));
    }

    /** Feeds every record in offset order to {@code sink} (value null for a tombstone). */
    void replay(BiConsumer<byte[], byte[]> sink) {
        log.replay(sink);
    }
}
