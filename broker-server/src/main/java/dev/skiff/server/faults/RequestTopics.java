package dev.skiff.server.faults;

import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.DeleteTopicsRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.function.Function;

/**
 * Whether a request is about a given topic (and partition): the filter of a fault. Requests of APIs that name
 * no topics never match a filter. A topic given by id (newer versions) is looked up by name through the given function.
 */
final class RequestTopics {

    /** Any partition. */
    static final int ANY = -1;

    static boolean touches(ApiMessage request, Function<Uuid, String> topicNames, String topic, int partition) {
        if (request instanceof ProduceRequestData r) {
            for (ProduceRequestData.TopicProduceData t : r.topicData()) {
                if (!named(topic, t.name(), t.topicId(), topicNames)) continue;
                for (ProduceRequestData.PartitionProduceData p : t.partitionData())
                    if (partition == ANY || p.index() == partition) return true;
            }
        } else if (request instanceof FetchRequestData r) {
            for (FetchRequestData.FetchTopic t : r.topics()) {
                if (!named(topic, t.topic(), t.topicId(), topicNames)) continue;
                for (FetchRequestData.FetchPartition p : t.partitions())
                    if (partition == ANY || p.partition() == partition) return true;
            }
        } else if (request instanceof ListOffsetsRequestData r) {
            for (ListOffsetsRequestData.ListOffsetsTopic t : r.topics()) {
                if (!topic.equals(t.name())) continue;
                for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions())
                    if (partition == ANY || p.partitionIndex() == partition) return true;
            }
        } else if (request instanceof MetadataRequestData r) {
            if (r.topics() == null) return true; // all topics
            for (MetadataRequestData.MetadataRequestTopic t : r.topics())
                if (named(topic, t.name(), t.topicId(), topicNames)) return true;
        } else if (request instanceof OffsetCommitRequestData r) {
            for (OffsetCommitRequestData.OffsetCommitRequestTopic t : r.topics()) {
                if (!named(topic, t.name(), t.topicId(), topicNames)) continue;
                for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions())
                    if (partition == ANY || p.partitionIndex() == partition) return true;
            }
        } else if (request instanceof OffsetFetchRequestData r) {
            if (r.topics() != null) {
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : r.topics())
                    if (topic.equals(t.name()) && hasPartition(t.partitionIndexes(), partition)) return true;
            } else if (r.groups().isEmpty()) {
                return true; // all committed topics
            }
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : r.groups()) {
                if (g.topics() == null) return true;
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics())
                    if (named(topic, t.name(), t.topicId(), topicNames)
                            && hasPartition(t.partitionIndexes(), partition)) return true;
            }
        } else if (request instanceof CreateTopicsRequestData r) {
            for (CreateTopicsRequestData.CreatableTopic t : r.topics()) if (topic.equals(t.name())) return true;
        } else if (request instanceof DeleteTopicsRequestData r) {
            if (r.topicNames() != null && r.topicNames().contains(topic)) return true;
            if (r.topics() != null)
                for (DeleteTopicsRequestData.DeleteTopicState t : r.topics())
                    if (named(topic, t.name(), t.topicId(), topicNames)) return true;
        }
        return false;
    }

    private static boolean hasPartition(List<Integer> indexes, int partition) {
        return partition == ANY || indexes == null || indexes.contains(partition);
    }

    private static boolean named(String wanted, String name, Uuid id, Function<Uuid, String> topicNames) {
        if (wanted.equals(name)) return true;
        if (id == null || Uuid.ZERO.equals(id)) return false;
        return wanted.equals(topicNames.apply(id));
    }

    private RequestTopics() {}
}
