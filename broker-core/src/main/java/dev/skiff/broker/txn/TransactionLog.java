package dev.skiff.broker.txn;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicManager;
import dev.skiff.config.BrokerConfig;
import java.util.List;

/**
 * The compacted internal topic {@code __transaction_state}: one record per state transition, keyed by
 * transactional id (the latest one is the state), written before the transition is applied and replayed
 * in offset order at start. A transactional id goes to partition abs(hash) % n, as Kafka places them.
 */
final class TransactionLog {

    static final String TOPIC = "__transaction_state";

    private final InternalTopicLog log;

    TransactionLog(TopicManager topics, BrokerConfig config) {
        String n = config.get("transaction.state.log.num.partitions");
        int partitions = n == null ? 1 : Math.max(1, Integer.parseInt(n.trim()));
        this.log = new InternalTopicLog(topics, TOPIC, partitions, config.messageMaxBytes);
    }

    /** Appends one record (value null: a tombstone); throws ApiException with the storage error on failure. */
    void append(String transactionalId, byte[] key, byte[] value) {
        log.append(transactionalId, List.of(new InternalTopicLog.Entry(key, value)));
    }

    /** Feeds every record in offset order to {@code sink} (value null for a tombstone); unreadable ones skipped. */
    void replay(InternalTopicLog.Sink sink) {
        log.replay(sink);
    }

    /** Feeds the records of one partition, in offset order, to {@code sink}. */
    void replay(int partition, InternalTopicLog.Sink sink) {
        log.replay(partition, sink);
    }

    /** The partition that holds a transactional id's records. */
    int partitionOf(String transactionalId) {
        return log.partitionOf(transactionalId);
    }
}
