package dev.skiff.broker.group;

import dev.skiff.broker.internal.records.ConsumerGroupCurrentMemberAssignmentValueData;
import dev.skiff.broker.internal.records.ConsumerGroupMemberMetadataValueData;
import dev.skiff.broker.internal.records.ConsumerGroupMetadataValueData;
import dev.skiff.broker.internal.records.ConsumerGroupRegularExpressionValueData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMemberValueData;
import dev.skiff.broker.internal.records.ConsumerGroupTargetAssignmentMetadataValueData;
import dev.skiff.protocol.types.Uuid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a consumer group keeps across restarts, exactly as its records say: changed only by {@link #apply}, at
 * start (replay of {@code __consumer_offsets}) and live (after each write). Not thread safe: the coordinator holds
 * the group's monitor around every use.
 */
final class ConsumerGroupState {

    /** Kafka's member states, as the current-assignment record stores them. */
    static final byte STABLE = 0;

    static final byte UNREVOKED_PARTITIONS = 1;
    static final byte UNRELEASED_PARTITIONS = 2;

    /** A member's current assignment: its epochs, state, the partitions it has and those it must give up. */
    record Current(
            int memberEpoch,
            int previousMemberEpoch,
            byte state,
            Map<Uuid, Set<Integer>> assigned,
            Map<Uuid, Set<Integer>> pendingRevocation) {}

    /** A regular expression's topics as last resolved, with the topic catalog's version and the time then. */
    record Resolved(List<String> topics, long version, long timestamp) {}

    final String groupId;
    /** Whether the group's metadata record exists (a group only of tombstones is gone). */
    boolean exists;

    int epoch;
    long metadataHash;
    int assignmentEpoch;
    final Map<String, ConsumerGroupMemberMetadataValueData> members = new LinkedHashMap<>();
    final Map<String, Map<Uuid, Set<Integer>>> target = new LinkedHashMap<>();
    final Map<String, Current> current = new LinkedHashMap<>();
    /** The members' regular expressions and what they resolved to (ConsumerGroupRegularExpression records). */
    final Map<String, Resolved> regexes = new LinkedHashMap<>();

    ConsumerGroupState(String groupId) {
        this.groupId = groupId;
    }

    /** Applies one record of this group; true while the group still exists. */
    boolean apply(ConsumerGroupRecords.Decoded d) {
        short type = d.type();
        if (type == ConsumerGroupRecords.GROUP) {
            if (d.value() == null) {
                exists = false;
                epoch = 0;
                metadataHash = 0;
            } else {
                ConsumerGroupMetadataValueData v = (ConsumerGroupMetadataValueData) d.value();
                exists = true;
                epoch = v.epoch();
                metadataHash = v.metadataHash();
            }
        } else if (type == ConsumerGroupRecords.TARGET_METADATA) {
            assignmentEpoch = d.value() == null
                    ? 0
                    : ((ConsumerGroupTargetAssignmentMetadataValueData) d.value()).assignmentEpoch();
        } else if (type == ConsumerGroupRecords.MEMBER) {
            if (d.value() == null) members.remove(d.memberId());
            else members.put(d.memberId(), (ConsumerGroupMemberMetadataValueData) d.value());
        } else if (type == ConsumerGroupRecords.TARGET_MEMBER) {
            if (d.value() == null) target.remove(d.memberId());
            else
                target.put(d.memberId(), ConsumerGroupRecords.fromTarget((ConsumerGroupTargetAssignmentMemberValueData)
                        d.value()));
        } else if (type == ConsumerGroupRecords.CURRENT) {
            if (d.value() == null) current.remove(d.memberId());
            else {
                ConsumerGroupCurrentMemberAssignmentValueData v =
                        (ConsumerGroupCurrentMemberAssignmentValueData) d.value();
                current.put(
                        d.memberId(),
                        new Current(
                                v.memberEpoch(),
                                v.previousMemberEpoch(),
                                v.state(),
                                ConsumerGroupRecords.fromCurrent(v.assignedPartitions()),
                                ConsumerGroupRecords.fromCurrent(v.partitionsPendingRevocation())));
            }
        } else if (type == ConsumerGroupRecords.REGEX) {
            if (d.value() == null) regexes.remove(d.memberId());
            else {
                ConsumerGroupRegularExpressionValueData v = (ConsumerGroupRegularExpressionValueData) d.value();
                regexes.put(d.memberId(), new Resolved(List.copyOf(v.topics()), v.version(), v.timestamp()));
            }
        }
        return exists || !members.isEmpty();
    }
}
