package dev.skiff.broker;

import dev.skiff.broker.metrics.BrokerMetrics;
import dev.skiff.config.BrokerConfig;
import dev.skiff.log.Log;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.BatchSummary;
import dev.skiff.protocol.records.DecompressionBudget;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path of every partition this broker leads, in Kafka's terms (its ReplicaManager): append records
 * with acks and origin, read with isolation level and max bytes, look up offsets, delete records, expire idle
 * producers. Handlers speak the wire and call this; each partition's own work is in {@link Partition}.
 * Replication and authorization would plug in here. Failures are {@link ApiException}s, one per partition.
 */
public final class Partitions {

    private static final Logger log = LoggerFactory.getLogger(Partitions.class);

    /**
     * What an append answers for one partition. logAppendTimeMs is -1 for CreateTime topics.
     * requiredHighWatermark: for acks=-1 on a replicated partition, the high watermark the answer must wait
     * for (every in-sync replica has the batch); -1 when the answer may go now. coordinatorWrite: when the batch
     * added its partition to a transaction (transactions V2), completes once the coordinator's write is
     * replicated (the answer waits for it, as Kafka's leader waits for the coordinator); null otherwise.
     */
    public record AppendResult(
            long baseOffset,
            long logAppendTimeMs,
            long requiredHighWatermark,
            CompletableFuture<Void> coordinatorWrite) {
        public AppendResult(long baseOffset, long logAppendTimeMs) {
            this(baseOffset, logAppendTimeMs, -1, null);
        }
    }

    private final TopicManager topics;
    private final TransactionVerifier transactions;
    private final BrokerConfig config;
    private final LongSupplier clock;
    /** Kafka's BrokerTopicMetrics: messages and bytes in per append, bytes out per read (one adder each). */
    private final BrokerMetrics metrics;

    public Partitions(TopicManager topics, TransactionVerifier transactions, BrokerConfig config, LongSupplier clock) {
        this(topics, transactions, config, clock, new BrokerMetrics());
    }

    public Partitions(
            TopicManager topics,
            TransactionVerifier transactions,
            BrokerConfig config,
            LongSupplier clock,
            BrokerMetrics metrics) {
        this.topics = topics;
        this.transactions = transactions;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    public Topic topic(String name) {
        return topics.get(name);
    }

    private volatile LeaderCheck leaderCheck = LeaderCheck.SINGLE_BROKER;
    private volatile TransactionAdder transactionAdder;

    /** Transactions V2: who adds a partition to a transaction when a Produce v12+ batch asks for it. */
    public void setTransactionAdder(TransactionAdder adder) {
        this.transactionAdder = adder;
    }

    /** In a cluster: who may serve clients for a partition (a single broker serves all). */
    public void setLeaderCheck(LeaderCheck check) {
        this.leaderCheck = check;
    }

    /** NONE when this broker serves clients for the partition, else the error to answer (NOT_LEADER_OR_FOLLOWER). */
    public Errors leadership(String topic, int partition) {
        return leaderCheck.check(topic, partition);
    }

    /** Where a partition's leader is, for an answer of NOT_LEADER_OR_FOLLOWER (KIP-951); null when unknown. */
    public LeaderHint leaderHint(String topic, int partition) {
        return leaderCheck.hint(topic, partition);
    }

    public Topic topic(Uuid id) {
        return topics.get(id);
    }

    /** The partition, or null when the topic or the partition is unknown. */
    public Partition partition(String topic, int index) {
        return topics.partition(topic, index);
    }

    /**
     * Validates and appends {@code records} to a partition of {@code topic}. {@code legacyAllowed}: message
     * sets v0/v1 are still allowed (Produce v0-2). With acks=-1 and skiff.fsync.on.acks.all the answer waits
     * for the disk. Clients may not write internal topics (INVALID_TOPIC_EXCEPTION, as Kafka).
     */
    public AppendResult appendRecords(
            Topic topic,
            Partition partition,
            RecordsData records,
            short requiredAcks,
            AppendOrigin origin,
            boolean legacyAllowed) {
        return appendRecords(topic, partition, records, requiredAcks, origin, legacyAllowed, decompressionBudget());
    }

    /** What one produce request may decompress in total, shared by its partitions (a small request can claim gigabytes). */
    public DecompressionBudget decompressionBudget() {
        return DecompressionBudget.forRequest(config.messageMaxBytes);
    }

    /** As above, charging what compressed records inflate to against the request's {@code budget}. */
    public AppendResult appendRecords(
            Topic topic,
            Partition partition,
            RecordsData records,
            short requiredAcks,
            AppendOrigin origin,
            boolean legacyAllowed,
            DecompressionBudget budget) {
        return appendRecords(topic, partition, records, requiredAcks, origin, legacyAllowed, budget, null);
    }

    /**
     * As above; {@code addToTransaction} (Produce v12+, transactions V2) is the request's transactional id: a
     * transactional batch first adds its partition to that producer's transaction. Null: transactions V1, where
     * the partition must have been added by AddPartitionsToTxn.
     */
    public AppendResult appendRecords(
            Topic topic,
            Partition partition,
            RecordsData records,
            short requiredAcks,
            AppendOrigin origin,
            boolean legacyAllowed,
            DecompressionBudget budget,
            String addToTransaction) {
        if (origin == AppendOrigin.CLIENT)
            InternalTopics.refuse(topic.name(), Errors.INVALID_TOPIC_EXCEPTION, "append to");
        if (!(records instanceof BufferRecords br) || br.sizeInBytes() == 0) {
            throw new ApiException(Errors.CORRUPT_MESSAGE, "Produce request has no records");
        }
        LogValidator.ValidatedRecords valid;
        try {
            valid = LogValidator.validate(
                    RecordBatches.nioView(br.buf()),
                    legacyAllowed,
                    topic.appendRules(),
                    origin,
                    clock.getAsLong(),
                    budget,
                    partition.id().toString());
        } catch (ApiException e) {
            if (e.error() == Errors.CORRUPT_MESSAGE)
                log.debug("Rejected corrupt records for {}: {}", partition.id(), e.getMessage());
            throw e;
        }
        Partition.ReplicaRole role = partition.role();
        if (role != null) {
            partition.checkLeader(-1);
            if (requiredAcks == -1 && role.isr().size() < role.minInsyncReplicas())
                throw new ApiException(
                        Errors.NOT_ENOUGH_REPLICAS,
                        "The in-sync replicas of " + partition.id() + " are " + role.isr() + ", fewer than "
                                + role.minInsyncReplicas());
        }
        CompletableFuture<Void> coordinatorWrite = null;
        BatchSummary first = valid.first();
        TransactionAdder adder = transactionAdder;
        if (addToTransaction != null && adder != null && first.transactional() && first.producerId() >= 0) {
            // outside the partition's lock: the coordinator writes markers holding its own lock, then partitions'
            ReplicatedWrites.Tracked<Void> added = ReplicatedWrites.track(() -> {
                adder.addPartition(addToTransaction, first.producerId(), first.producerEpoch(), partition.id());
                return null;
            });
            coordinatorWrite = added.writes().replicated();
        }
        long baseOffset;
        try {
            baseOffset = partition.appendRecordsToLeader(valid, transactions);
        } catch (ApiException e) {
            if (e.error() == Errors.KAFKA_STORAGE_ERROR)
                log.error("Append to {} failed: {}", partition.id(), e.getMessage());
            throw e;
        }
        metrics.recordAppend(topic.name(), valid.summary().recordCount(), br.sizeInBytes());
        if (requiredAcks == -1 && config.fsyncOnAcksAll) flush(partition);
        long required = role != null && requiredAcks == -1 ? partition.log().logEndOffset() : -1;
        return new AppendResult(baseOffset, valid.logAppendTimeMs(), required, coordinatorWrite);
    }

    /** skiff.fsync.on.acks.all: a failed fsync is a storage error, not an acknowledgement. */
    private static void flush(Partition partition) {
        try {
            partition.log().flush();
        } catch (LogStorageException e) {
            log.error("fsync of {} failed: {}", partition.id(), e.getMessage());
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, e.getMessage(), e);
        }
    }

    /** Reads one partition; see {@link Partition#fetchRecords}. */
    public Partition.FetchDataInfo read(
            Partition partition, long offset, int maxBytes, boolean minOneBatch, IsolationLevel isolation, byte magic) {
        Partition.FetchDataInfo info = partition.fetchRecords(offset, maxBytes, minOneBatch, isolation, magic);
        if (info.records() != null)
            metrics.recordFetch(partition.topic(), info.records().sizeInBytes());
        return info;
    }

    /** Where a fetch reads one partition (Kafka's FetchRequest.PartitionData); partition null when unknown. */
    public record FetchPosition(Partition partition, long fetchOffset, int partitionMaxBytes) {}

    /** Bytes a fetch would get now, without reading them; Long.MAX_VALUE when it must be answered at once. */
    public long bytesAvailable(List<FetchPosition> positions, int maxBytes, IsolationLevel isolation) {
        long total = 0;
        for (FetchPosition f : positions) {
            if (f.partition() == null) continue;
            long available = f.partition().bytesAvailable(f.fetchOffset(), f.partitionMaxBytes(), isolation);
            if (available == Long.MAX_VALUE) return available;
            total += available;
            if (total >= maxBytes) break;
        }
        return total;
    }

    /**
     * Whether a fetch would get {@code minBytes} now, or must be answered at once. For min_bytes of 1 (the
     * consumers' default) any partition with data decides, found from its log's bounds without reading batch
     * headers (the answer reads them once more anyway).
     */
    public boolean enoughAvailable(
            List<FetchPosition> positions, int maxBytes, IsolationLevel isolation, int minBytes) {
        if (minBytes <= 0) return true;
        if (minBytes > 1) return bytesAvailable(positions, maxBytes, isolation) >= minBytes;
        for (FetchPosition f : positions) {
            if (f.partition() != null && f.partition().anyAvailable(f.fetchOffset(), f.partitionMaxBytes(), isolation))
                return true;
        }
        return false;
    }

    /** See {@link Partition#fetchOffsetForTimestamp}. */
    public Log.TimestampOffset offsetForTimestamp(Partition partition, long timestamp, IsolationLevel isolation) {
        return partition.fetchOffsetForTimestamp(timestamp, isolation);
    }

    /** ListOffsets v0: segment base offsets at or before {@code timestamp}, newest first. */
    public List<Long> legacyOffsetsBefore(Partition partition, long timestamp, int maxNumOffsets) {
        return partition.legacyOffsetsBefore(timestamp, maxNumOffsets, clock.getAsLong());
    }

    /**
     * Moves a partition's log start offset to {@code offset} (-1: the high watermark); returns that offset, which
     * the partition's low watermark must reach before the deletion is done. Internal topics are refused
     * (INVALID_TOPIC_EXCEPTION, as Kafka).
     */
    public long deleteRecords(Partition partition, long offset) {
        InternalTopics.refuse(partition.topic(), Errors.INVALID_TOPIC_EXCEPTION, "delete records of");
        try {
            return partition.deleteRecordsOnLeader(offset);
        } catch (ApiException e) {
            if (e.error() == Errors.KAFKA_STORAGE_ERROR)
                log.error("DeleteRecords on {} failed: {}", partition.id(), e.getMessage());
            throw e;
        }
    }

    /** One pass of producer.id.expiration.ms over every partition; returns the producers forgotten. */
    public int expireProducers() {
        long now = clock.getAsLong();
        int removed = 0;
        for (Topic t : topics.all()) {
            for (Partition p : t.partitions()) removed += p.expireProducers(now, config.producerIdExpirationMs);
        }
        return removed;
    }
}
