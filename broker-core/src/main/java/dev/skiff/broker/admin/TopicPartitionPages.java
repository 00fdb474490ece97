package dev.skiff.broker.admin;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.TopicManager;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * DescribeTopicPartitions' paging (KIP-966), as Kafka's DescribeTopicPartitionsRequestHandler and
 * KRaftMetadataCache.describeTopicResponse decide it: the topics asked for (all when none are named), sorted by
 * name, from the cursor's topic on; whole topics while the partition limit lasts, the topic that crosses it cut at
 * the limit with a next cursor naming its next partition, and a next cursor at partition 0 of the first topic
 * that no longer fits. Unknown topics answer UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for a bad name)
 * without using the limit; topics the principal may not describe, when named, TOPIC_AUTHORIZATION_FAILED after
 * the others (when all are asked for they are left out).
 */
public final class TopicPartitionPages {

    /** Kafka's max.request.partition.size.limit default: the most partitions one answer holds. */
    public static final int MAX_PARTITIONS_PER_ANSWER = 2000;

    /** One partition as the answer shows it. */
    public record PartitionState(
            int index, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr, List<Integer> offline) {}

    /** A known topic: its id, whether internal, its partitions in index order. */
    public record TopicState(String name, Uuid id, boolean internal, List<PartitionState> partitions) {}

    /** Where the topics come from: a single broker's topics or the controller's image. */
    public interface Source {
        Collection<String> names();

        /** The topic, or null when unknown. */
        TopicState topic(String name);
    }

    /**
     * One topic of the answer: {@code partitions} the slice answered (empty on an error); {@code error} NONE,
     * UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION or TOPIC_AUTHORIZATION_FAILED.
     */
    public record TopicAnswer(String name, Uuid id, boolean internal, Errors error, List<PartitionState> partitions) {}

    /** The answer: its topics, and where the next page starts ({@code nextTopic} null when there is none). */
    public record Page(List<TopicAnswer> topics, String nextTopic, int nextPartition) {}

    private TopicPartitionPages() {}

    /**
     * @param requested      the names asked for; empty: every topic of {@code source} the principal may describe
     * @param cursorTopic    the cursor's topic, null without cursor
     * @param cursorPartition the cursor's partition
     * @param limit          response_partition_limit (bounded to [1, {@link #MAX_PARTITIONS_PER_ANSWER}])
     * @throws ApiException INVALID_REQUEST when named topics leave out the cursor's, or the cursor's partition is
     *                      negative (Kafka's messages)
     */
    public static Page page(
            Source source,
            List<String> requested,
            String cursorTopic,
            int cursorPartition,
            int limit,
            Predicate<String> mayDescribe) {
        boolean all = requested.isEmpty();
        String from = cursorTopic == null ? "" : cursorTopic;
        TreeSet<String> names = new TreeSet<>();
        for (String n : all ? source.names() : requested) if (n != null && n.compareTo(from) >= 0) names.add(n);
        if (!all && cursorTopic != null && !names.contains(cursorTopic))
            throw new ApiException(
                    Errors.INVALID_REQUEST,
                    "DescribeTopicPartitionsRequest topic list should contain the cursor topic: " + cursorTopic);
        if (cursorTopic != null && cursorPartition < 0)
            throw new ApiException(
                    Errors.INVALID_REQUEST,
                    "DescribeTopicPartitionsRequest cursor partition must be valid: Cursor(topicName='" + cursorTopic
                            + "'" + ", partitionIndex=" + cursorPartition + ")");
        int remaining = Math.max(Math.min(MAX_PARTITIONS_PER_ANSWER, limit), 1);
        List<TopicAnswer> out = new ArrayList<>();
        List<TopicAnswer> denied = new ArrayList<>();
        String nextTopic = null;
        int nextPartition = -1;
        for (String name : names) {
            if (!mayDescribe.test(name)) {
                if (!all)
                    denied.add(new TopicAnswer(name, Uuid.ZERO, false, Errors.TOPIC_AUTHORIZATION_FAILED, List.of()));
                continue;
            }
            if (remaining == 0) {
                // the next page starts with this topic (which need not exist)
                nextTopic = name;
                nextPartition = 0;
                break;
            }
            TopicState t = source.topic(name);
            if (t == null) {
                if (!all)
                    out.add(new TopicAnswer(
                            name, Uuid.ZERO, InternalTopics.isInternal(name), unknown(name), List.of()));
                continue;
            }
            int start = name.equals(cursorTopic) ? cursorPartition : 0;
            int size = t.partitions().size();
            int end = (int) Math.min(size, (long) start + remaining);
            List<PartitionState> slice = start < end ? t.partitions().subList(start, end) : List.of();
            out.add(new TopicAnswer(name, t.id(), t.internal(), Errors.NONE, slice));
            if (end < size) {
                nextTopic = name;
                nextPartition = end;
                break;
            }
            remaining -= slice.size();
        }
        out.addAll(denied);
        return new Page(out, nextTopic, nextPartition);
    }

    private static Errors unknown(String name) {
        try {
            TopicManager.validateName(name);
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (InvalidTopicException e) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
    }
}
