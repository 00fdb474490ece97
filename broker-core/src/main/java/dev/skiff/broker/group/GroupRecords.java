package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.internal.records.GroupMetadataKeyData;
import dev.skiff.broker.internal.records.GroupMetadataValueData;
import dev.skiff.broker.internal.records.LegacyOffsetCommitKeyData;
import dev.skiff.broker.internal.records.OffsetCommitKeyData;
import dev.skiff.broker.internal.records.OffsetCommitValueData;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolReader;

/**
 * The records of {@code __consumer_offsets}, in Kafka's layout through Kafka's generated classes: a key is its
 * record type (int16: 0 and 1 offset commit, 2 group metadata) and the key record; a value is its version
 * (int16) and the value record. A null value is a tombstone.
 */
final class GroupRecords {

    /** The value versions Skiff writes, as Kafka 4.x writes them for classic groups. */
    static final short OFFSET_VALUE_VERSION = 3;

    static final short EXPIRING_OFFSET_VALUE_VERSION = 1;
    static final short GROUP_VALUE_VERSION = 3;

    /** A decoded record: an offset of a group's partition, or a group's metadata. Null value: deleted. */
    sealed interface Decoded permits Offset, Group, ConsumerGroupRecords.Decoded, Other {}

    record Offset(String group, TopicPartition tp, CommittedOffset value) implements Decoded {}

    record Group(String group, GroupMetadataValueData value) implements Decoded {}

    /** A record type Skiff does not keep (share and streams groups of KRaft Kafka). */
    record Other(short type) implements Decoded {}

    private GroupRecords() {}

    static byte[] offsetKey(String group, TopicPartition tp) {
        return InternalTopicLog.serialize(
                OffsetCommitKeyData.API_KEY,
                (short) 0,
                new OffsetCommitKeyData().setGroup(group).setTopic(tp.topic()).setPartition(tp.partition()));
    }

    /** Version 3, or version 1 (the one with an expire timestamp) when the commit set one, as Kafka writes it. */
    static byte[] offsetValue(CommittedOffset o) {
        short version = o.expireTimestamp() >= 0 ? EXPIRING_OFFSET_VALUE_VERSION : OFFSET_VALUE_VERSION;
        return InternalTopicLog.serialize(
                version,
                new OffsetCommitValueData()
                        .setOffset(o.offset())
                        .setLeaderEpoch(o.leaderEpoch())
                        .setMetadata(o.metadata() == null ? "" : o.metadata())
                        .setCommitTimestamp(o.commitTimestamp())
                        .setExpireTimestamp(o.expireTimestamp()));
    }

    static byte[] groupKey(String group) {
        return InternalTopicLog.serialize(
                GroupMetadataKeyData.API_KEY, (short) 0, new GroupMetadataKeyData().setGroup(group));
    }

    static byte[] groupValue(GroupMetadataValueData v) {
        return InternalTopicLog.serialize(GROUP_VALUE_VERSION, v);
    }

    /** Decodes a record; throws when it cannot be read (an unknown version, a field cut short). */
    static Decoded decode(byte[] key, byte[] value) {
        ProtocolReader k = InternalTopicLog.reader(key);
        short type = k.readInt16();
        if (type == LegacyOffsetCommitKeyData.API_KEY || type == OffsetCommitKeyData.API_KEY) {
            OffsetCommitKeyData ok = new OffsetCommitKeyData(k, (short) 0);
            TopicPartition tp = new TopicPartition(ok.topic(), ok.partition());
            if (value == null) return new Offset(ok.group(), tp, null);
            ProtocolReader v = InternalTopicLog.reader(value);
            short version = checkVersion(
                    v.readInt16(),
                    OffsetCommitValueData.LOWEST_SUPPORTED_VERSION,
                    OffsetCommitValueData.HIGHEST_SUPPORTED_VERSION,
                    "offset commit value");
            OffsetCommitValueData ov = new OffsetCommitValueData(v, version);
            return new Offset(
                    ok.group(),
                    tp,
                    new CommittedOffset(
                            ov.offset(), ov.leaderEpoch(), ov.metadata(), ov.commitTimestamp(), ov.expireTimestamp()));
        }
        if (type == GroupMetadataKeyData.API_KEY) {
            String group = new GroupMetadataKeyData(k, (short) 0).group();
            if (value == null) return new Group(group, null);
            ProtocolReader v = InternalTopicLog.reader(value);
            short version = checkVersion(
                    v.readInt16(),
                    GroupMetadataValueData.LOWEST_SUPPORTED_VERSION,
                    GroupMetadataValueData.HIGHEST_SUPPORTED_VERSION,
                    "group metadata value");
            GroupMetadataValueData gv = new GroupMetadataValueData(v, version);
            // Before version 1 a member had one timeout for both (Kafka reads it the same way)
            gv.members().forEach(m -> {
                if (m.rebalanceTimeout() < 0) m.setRebalanceTimeout(m.sessionTimeout());
            });
            return new Group(group, gv);
        }
        if (ConsumerGroupRecords.isConsumerGroupType(type)) return ConsumerGroupRecords.decode(type, k, value);
        return new Other(type);
    }

    private static short checkVersion(short version, short lowest, short highest, String what) {
        if (version < lowest || version > highest)
            throw new ProtocolException("unknown " + what + " version " + version);
        return version;
    }
}
