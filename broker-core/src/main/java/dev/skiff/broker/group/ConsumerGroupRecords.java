package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.internal.records.ConsumerGroupCurrentMemberAssignmentKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupCurrentMemberAssignmentValueData;
import dev.skiff.broker.internal.records.ConsumerGroupMemberMetadataKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupMemberMetadataValueData;
import dev.skiff.broker.internal.records.ConsumerGroupMetadataKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupMetadataValueData;
import dev.skiff.broker.internal.records.ConsumerGroupPartitionMetadataKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupRegularExpressionKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupRegularExpressionValueData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMemberKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMemberValueData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMetadataKeyData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMetadataValueData;
import dev.skiff.protocol.Message;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolReader;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The records of a KIP-848 consumer group in {@code __consumer_offsets}, in Kafka's layout (record types 3 to 8 and 16):
 * the group's epoch, each member's subscription, the target assignment, each member's current assignment and what
 * the members' regular expressions resolved to.
 * Every value is written at version 0, as Kafka 4.x writes it; a null value is a tombstone.
 */
final class ConsumerGroupRecords {

    static final short GROUP = ConsumerGroupMetadataKeyData.API_KEY;
    static final short PARTITION_METADATA = ConsumerGroupPartitionMetadataKeyData.API_KEY;
    static final short MEMBER = ConsumerGroupMemberMetadataKeyData.API_KEY;
    static final short TARGET_METADATA = ConsumerGroupTargetAssignmentMetadataKeyData.API_KEY;
    static final short TARGET_MEMBER = ConsumerGroupTargetAssignmentMemberKeyData.API_KEY;
    static final short CURRENT = ConsumerGroupCurrentMemberAssignmentKeyData.API_KEY;
    static final short REGEX = ConsumerGroupRegularExpressionKeyData.API_KEY;

    private ConsumerGroupRecords() {}

    /** Whether a record type belongs to a consumer group. */
    static boolean isConsumerGroupType(short type) {
        return type == GROUP
                || type == PARTITION_METADATA
                || type == MEMBER
                || type == TARGET_METADATA
                || type == TARGET_MEMBER
                || type == CURRENT
                || type == REGEX;
    }

    // ---------------------------------------------------------------- encoding

    static InternalTopicLog.Entry group(String groupId, int epoch, long metadataHash) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(GROUP, (short) 0, new ConsumerGroupMetadataKeyData().setGroupId(groupId)),
                InternalTopicLog.serialize(
                        (short) 0,
                        new ConsumerGroupMetadataValueData().setEpoch(epoch).setMetadataHash(metadataHash)));
    }

    static InternalTopicLog.Entry groupTombstone(String groupId) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(GROUP, (short) 0, new ConsumerGroupMetadataKeyData().setGroupId(groupId)),
                null);
    }

    /** The tombstone of the subscription metadata Kafka wrote before 4.1 (Skiff writes none; Kafka deletes it). */
    static InternalTopicLog.Entry partitionMetadataTombstone(String groupId) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        PARTITION_METADATA, (short) 0, new ConsumerGroupPartitionMetadataKeyData().setGroupId(groupId)),
                null);
    }

    /**
     * Every record of the group as tombstones, in Kafka's order (ConsumerGroup.createGroupTombstoneRecords):
     * current assignments, targets, the target's epoch, members, stored regular expressions, subscription metadata
     * and last the group's epoch, so that a replay drops the group.
     */
    static List<InternalTopicLog.Entry> tombstones(ConsumerGroupState s) {
        String id = s.groupId;
        Set<String> members = new java.util.LinkedHashSet<>(s.members.keySet());
        List<InternalTopicLog.Entry> out = new ArrayList<>();
        Set<String> current = new java.util.LinkedHashSet<>(members);
        current.addAll(s.current.keySet());
        for (String m : current) out.add(current(id, m, null));
        Set<String> target = new java.util.LinkedHashSet<>(members);
        target.addAll(s.target.keySet());
        for (String m : target) out.add(targetMember(id, m, null));
        out.add(targetMetadata(id, null));
        for (String m : members) out.add(member(id, m, null));
        for (String r : s.regexes.keySet()) out.add(regex(id, r, null));
        out.add(partitionMetadataTombstone(id));
        out.add(groupTombstone(id));
        return out;
    }

    static InternalTopicLog.Entry targetMetadata(String groupId, Integer epoch) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        TARGET_METADATA,
                        (short) 0,
                        new ConsumerGroupTargetAssignmentMetadataKeyData().setGroupId(groupId)),
                epoch == null
                        ? null
                        : InternalTopicLog.serialize(
                                (short) 0,
                                new ConsumerGroupTargetAssignmentMetadataValueData().setAssignmentEpoch(epoch)));
    }

    /** What a regular expression resolved to (null: a tombstone, nobody subscribes to it any more). */
    static InternalTopicLog.Entry regex(String groupId, String regex, ConsumerGroupState.Resolved r) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        REGEX,
                        (short) 0,
                        new ConsumerGroupRegularExpressionKeyData()
                                .setGroupId(groupId)
                                .setRegularExpression(regex)),
                r == null
                        ? null
                        : InternalTopicLog.serialize(
                                (short) 0,
                                new ConsumerGroupRegularExpressionValueData()
                                        .setTopics(new ArrayList<>(r.topics()))
                                        .setVersion(r.version())
                                        .setTimestamp(r.timestamp())));
    }

    static InternalTopicLog.Entry member(String groupId, String memberId, ConsumerGroupMemberMetadataValueData v) {
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        MEMBER,
                        (short) 0,
                        new ConsumerGroupMemberMetadataKeyData()
                                .setGroupId(groupId)
                                .setMemberId(memberId)),
                v == null ? null : InternalTopicLog.serialize((short) 0, v));
    }

    static InternalTopicLog.Entry targetMember(String groupId, String memberId, Map<Uuid, Set<Integer>> target) {
        ConsumerGroupTargetAssignmentMemberValueData v = null;
        if (target != null) {
            v = new ConsumerGroupTargetAssignmentMemberValueData();
            for (Map.Entry<Uuid, Set<Integer>> e : target.entrySet())
                v.topicPartitions()
                        .add(new ConsumerGroupTargetAssignmentMemberValueData.TopicPartition()
                                .setTopicId(e.getKey())
                                .setPartitions(new ArrayList<>(e.getValue())));
        }
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        TARGET_MEMBER,
                        (short) 0,
                        new ConsumerGroupTargetAssignmentMemberKeyData()
                                .setGroupId(groupId)
                                .setMemberId(memberId)),
                v == null ? null : InternalTopicLog.serialize((short) 0, v));
    }

    static InternalTopicLog.Entry current(String groupId, String memberId, ConsumerGroupState.Current c) {
        ConsumerGroupCurrentMemberAssignmentValueData v = null;
        if (c != null) {
            v = new ConsumerGroupCurrentMemberAssignmentValueData()
                    .setMemberEpoch(c.memberEpoch())
                    .setPreviousMemberEpoch(c.previousMemberEpoch())
                    .setState(c.state())
                    .setAssignedPartitions(toCurrent(c.assigned()))
                    .setPartitionsPendingRevocation(toCurrent(c.pendingRevocation()));
        }
        return new InternalTopicLog.Entry(
                InternalTopicLog.serialize(
                        CURRENT,
                        (short) 0,
                        new ConsumerGroupCurrentMemberAssignmentKeyData()
                                .setGroupId(groupId)
                                .setMemberId(memberId)),
                v == null ? null : InternalTopicLog.serialize((short) 0, v));
    }

    private static List<ConsumerGroupCurrentMemberAssignmentValueData.TopicPartitions> toCurrent(
            Map<Uuid, Set<Integer>> m) {
        List<ConsumerGroupCurrentMemberAssignmentValueData.TopicPartitions> out = new ArrayList<>();
        m.forEach((id, ps) -> out.add(new ConsumerGroupCurrentMemberAssignmentValueData.TopicPartitions()
                .setTopicId(id)
                .setPartitions(new ArrayList<>(ps))));
        return out;
    }

    // ---------------------------------------------------------------- decoding

    /** A decoded record of a consumer group: its type, group, member (or regex) and value (null: tombstone). */
    record Decoded(String group, short type, String memberId, Message value) implements GroupRecords.Decoded {}

    static Decoded decode(short type, ProtocolReader k, byte[] value) {
        String group;
        String member = null;
        if (type == GROUP) group = new ConsumerGroupMetadataKeyData(k, (short) 0).groupId();
        else if (type == PARTITION_METADATA) group = new ConsumerGroupPartitionMetadataKeyData(k, (short) 0).groupId();
        else if (type == TARGET_METADATA)
            group = new ConsumerGroupTargetAssignmentMetadataKeyData(k, (short) 0).groupId();
        else if (type == MEMBER) {
            ConsumerGroupMemberMetadataKeyData d = new ConsumerGroupMemberMetadataKeyData(k, (short) 0);
            group = d.groupId();
            member = d.memberId();
        } else if (type == TARGET_MEMBER) {
            ConsumerGroupTargetAssignmentMemberKeyData d = new ConsumerGroupTargetAssignmentMemberKeyData(k, (short) 0);
            group = d.groupId();
            member = d.memberId();
        } else if (type == CURRENT) {
            ConsumerGroupCurrentMemberAssignmentKeyData d =
                    new ConsumerGroupCurrentMemberAssignmentKeyData(k, (short) 0);
            group = d.groupId();
            member = d.memberId();
        } else {
            ConsumerGroupRegularExpressionKeyData d = new ConsumerGroupRegularExpressionKeyData(k, (short) 0);
            group = d.groupId();
            member = d.regularExpression();
        }
        if (value == null) return new Decoded(group, type, member, null);
        ProtocolReader v = InternalTopicLog.reader(value);
        short version = v.readInt16();
        if (version != 0) throw new ProtocolException("unknown consumer group record version " + version);
        Message m;
        if (type == GROUP) m = new ConsumerGroupMetadataValueData(v, version);
        else if (type == MEMBER) m = new ConsumerGroupMemberMetadataValueData(v, version);
        else if (type == TARGET_METADATA) m = new ConsumerGroupTargetAssignmentMetadataValueData(v, version);
        else if (type == TARGET_MEMBER) m = new ConsumerGroupTargetAssignmentMemberValueData(v, version);
        else if (type == CURRENT) m = new ConsumerGroupCurrentMemberAssignmentValueData(v, version);
        else if (type == REGEX) m = new ConsumerGroupRegularExpressionValueData(v, version);
        else m = null; // partition metadata: replaced by the group's hash in 4.1, not kept
        return new Decoded(group, type, member, m);
    }

    static Map<Uuid, Set<Integer>> fromTarget(ConsumerGroupTargetAssignmentMemberValueData v) {
        Map<Uuid, Set<Integer>> out = new java.util.LinkedHashMap<>();
        for (ConsumerGroupTargetAssignmentMemberValueData.TopicPartition tp : v.topicPartitions())
            out.computeIfAbsent(tp.topicId(), x -> new TreeSet<>()).addAll(tp.partitions());
        return out;
    }

    static Map<Uuid, Set<Integer>> fromCurrent(List<ConsumerGroupCurrentMemberAssignmentValueData.TopicPartitions> l) {
        Map<Uuid, Set<Integer>> out = new java.util.LinkedHashMap<>();
        for (ConsumerGroupCurrentMemberAssignmentValueData.TopicPartitions tp : l)
            out.computeIfAbsent(tp.topicId(), x -> new TreeSet<>()).addAll(tp.partitions());
        return out;
    }
}
