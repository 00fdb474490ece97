package dev.skiff.broker.txn;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.internal.records.TransactionLogKeyData;
import dev.skiff.broker.internal.records.TransactionLogSkiffSectionData;
import dev.skiff.broker.internal.records.TransactionLogValueData;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of {@code __transaction_state}, through Kafka's generated classes: key TransactionLogKey
 * (type 0), value TransactionLogValue version 0, so tools that decode Kafka's topic read ours. After Kafka's
 * value comes Skiff's section (an int16 version, then TransactionLogSkiffSection), which Kafka's decoder never
 * reaches: the last epoch and the offsets committed in the transaction (Kafka keeps those in __consumer_offsets
 * as transactional records; Skiff keeps them here until the commit, so a commit interrupted by a crash can
 * still store them).
 */
final class TransactionRecords {

    private static final short VALUE_VERSION = 0;
    private static final short SKIFF_SECTION_VERSION = 1;

    private TransactionRecords() {}

    static byte[] key(String transactionalId) {
        return InternalTopicLog.serialize(
                TransactionLogKeyData.API_KEY,
                (short) 0,
                new TransactionLogKeyData().setTransactionalId(transactionalId));
    }

    /** The transactional id of a key, or null for a key of another type. */
    static String readKey(byte[] key) {
        ProtocolReader in = InternalTopicLog.reader(key);
        if (in.readInt16() != TransactionLogKeyData.API_KEY) return null;
        return new TransactionLogKeyData(in, (short) 0).transactionalId();
    }

    static byte[] value(TransactionMetadata m) {
        Map<String, TransactionLogValueData.PartitionsSchema> byTopic = new LinkedHashMap<>();
        for (TopicPartition tp : m.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new TransactionLogValueData.PartitionsSchema().setTopic(t))
                    .partitionIds()
                    .add(tp.partition());
        }
        TransactionLogValueData value = new TransactionLogValueData()
                .setProducerId(m.producerId())
                .setProducerEpoch(m.producerEpoch())
                .setTransactionTimeoutMs(m.timeoutMs())
                .setTransactionStatus(m.state().id)
                .setTransactionPartitions(new ArrayList<>(byTopic.values()))
                .setTransactionLastUpdateTimestampMs(m.lastUpdateTimeMs())
                .setTransactionStartTimestampMs(m.startTimeMs());
        TransactionLogSkiffSectionData section =
                new TransactionLogSkiffSectionData().setLastProducerEpoch(m.lastProducerEpoch());
        m.offsets().forEach((group, offsets) -> {
            List<TransactionLogSkiffSectionData.PendingOffset> list = new ArrayList<>();
            offsets.forEach((tp, o) -> list.add(new TransactionLogSkiffSectionData.PendingOffset()
                    .setTopic(tp.topic())
                    .setPartition(tp.partition())
                    .setOffset(o.offset())
                    .setLeaderEpoch(o.leaderEpoch())
                    .setMetadata(o.metadata())
                    .setCommitTimestamp(o.commitTimestamp())));
            section.groups()
                    .add(new TransactionLogSkiffSectionData.PendingGroupOffsets()
                            .setGroup(group)
                            .setOffsets(list));
        });
        byte[] kafkaPart = InternalTopicLog.serialize(VALUE_VERSION, value);
        byte[] skiffPart = InternalTopicLog.serialize(SKIFF_SECTION_VERSION, section);
        byte[] out = new byte[kafkaPart.length + skiffPart.length];
        System.arraycopy(kafkaPart, 0, out, 0, kafkaPart.length);
        System.arraycopy(skiffPart, 0, out, kafkaPart.length, skiffPart.length);
        return out;
    }

    /** Reads a value (Kafka's versions 0-1, Skiff's section when there is one); throws when unreadable. */
    static TransactionMetadata readValue(String transactionalId, byte[] bytes) {
        ProtocolReader in = InternalTopicLog.reader(bytes);
        short version = in.readInt16();
        if (version < TransactionLogValueData.LOWEST_SUPPORTED_VERSION
                || version > TransactionLogValueData.HIGHEST_SUPPORTED_VERSION)
            throw new ProtocolException("unknown transaction log value version " + version);
        TransactionLogValueData v = new TransactionLogValueData(in, version);
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        if (v.transactionPartitions() != null) {
            for (TransactionLogValueData.PartitionsSchema p : v.transactionPartitions())
                for (int id : p.partitionIds()) partitions.add(new TopicPartition(p.topic(), id));
        }
        short lastEpoch = -1;
        Map<String, Map<TopicPartition, CommittedOffset>> offsets = new LinkedHashMap<>();
        if (version == VALUE_VERSION && in.remaining() >= 2 && in.readInt16() == SKIFF_SECTION_VERSION) {
            TransactionLogSkiffSectionData section = new TransactionLogSkiffSectionData(in, SKIFF_SECTION_VERSION);
            lastEpoch = section.lastProducerEpoch();
            for (TransactionLogSkiffSectionData.PendingGroupOffsets g : section.groups()) {
                Map<TopicPartition, CommittedOffset> group = new LinkedHashMap<>();
                for (TransactionLogSkiffSectionData.PendingOffset o : g.offsets())
                    group.put(
                            new TopicPartition(o.topic(), o.partition()),
                            new CommittedOffset(o.offset(), o.leaderEpoch(), o.metadata(), o.commitTimestamp()));
                offsets.put(g.group(), group);
            }
        }
        return new TransactionMetadata(
                transactionalId,
                v.producerId(),
                v.producerEpoch(),
                lastEpoch,
                v.transactionTimeoutMs(),
                TransactionState.forId(v.transactionStatus()),
                partitions,
                offsets,
                v.transactionStartTimestampMs(),
                v.transactionLastUpdateTimestampMs());
    }
}
