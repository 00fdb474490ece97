package dev.skiff.broker.coordinator;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * Where the coordinator of a group or transactional id lives: on the leader of the partition of the internal
 * topic that holds the key (Kafka's {@code abs(hash) % partitions}). FindCoordinator answers
 * {@link #coordinator}; every coordinator API first calls {@link #ensureCoordinator}, so a request that reached
 * the wrong broker answers NOT_COORDINATOR and one whose partition is still being loaded
 * COORDINATOR_LOAD_IN_PROGRESS, as in Kafka; clients look again or retry.
 */
public interface CoordinatorLocator {

    /** FindCoordinator's key types: Kafka's codes and the internal topic each lives in. */
    enum KeyType {
        GROUP(0, InternalTopics.GROUP_METADATA),
        TRANSACTION(1, InternalTopics.TRANSACTION_STATE);

        private final byte code;
        private final String topic;

        KeyType(int code, String topic) {
            this.code = (byte) code;
            this.topic = topic;
        }

        public byte code() {
            return code;
        }

        public String topic() {
            return topic;
        }

        /** The type of a FindCoordinator key type code; INVALID_REQUEST for one Skiff does not coordinate. */
        public static KeyType of(byte code) {
            for (KeyType t : values()) if (t.code == code) return t;
            throw new ApiException(Errors.INVALID_REQUEST, "unsupported coordinator key type " + code);
        }

        /** The key type of an internal topic, or null for any other topic. */
        public static KeyType ofTopic(String topic) {
            for (KeyType t : values()) if (t.topic.equals(topic)) return t;
            return null;
        }
    }

    /** The internal topic's partition that holds {@code key}. */
    int partitionFor(KeyType type, String key);

    /**
     * The broker that coordinates {@code key}: COORDINATOR_NOT_AVAILABLE when its partition has no leader
     * (or the internal topic cannot be created yet).
     */
    BrokerEndpoint coordinator(KeyType type, String key);

    /**
     * As {@link #coordinator(KeyType, String)}, for a client that came in on {@code listener}: a single broker
     * answers with that listener's address (a cluster's brokers have one listener each).
     */
    default BrokerEndpoint coordinator(KeyType type, String key, String listener) {
        return coordinator(type, key);
    }

    /**
     * Returns when this broker coordinates {@code key} and has loaded its partition; otherwise throws
     * NOT_COORDINATOR (another broker leads it, or none) or COORDINATOR_LOAD_IN_PROGRESS (still loading).
     */
    void ensureCoordinator(KeyType type, String key);

    /**
     * The transaction coordinator that holds {@code transactionalId}: TxnOffsetCommit reaches the group's
     * coordinator, which keeps the offsets with the transaction. Alone, {@code local}; in a cluster, that of the
     * broker coordinating the id (an in-process call), or NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
     */
    default TransactionCoordinator transactionsOf(String transactionalId, TransactionCoordinator local) {
        return local;
    }

    /** Whether an open transaction, on whichever broker coordinates it, holds an offset not yet committed. */
    default boolean hasPendingOffsets(String group, TopicPartition tp, TransactionCoordinator local) {
        return local.hasPendingOffsets(group, tp);
    }

    /** Same placement as {@link InternalTopicLog#partitionFor}: abs(hash) modulo the partition count. */
    static int partitionFor(String key, int partitions) {
        return InternalTopicLog.partitionFor(key, Math.max(1, partitions));
    }
}
