package dev.skiff.it.oracle;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/** The requests the comparisons send, written with kafka-clients' message classes. */
final class Requests {

    private Requests() {}

    static ProduceRequestData produce(String topic, int partition, String value) {
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(records))));
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topics);
    }

    static FetchRequestData fetch(String topic, int partition, long offset) {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(partition)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)
                                .setCurrentLeaderEpoch(-1)
                                .setLogStartOffset(-1)))));
    }

    static ListOffsetsRequestData listOffsets(String topic, int partition, long timestamp) {
        return new ListOffsetsRequestData()
                .setReplicaId(-1)
                .setIsolationLevel((byte) 0)
                .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic()
                        .setName(topic)
                        .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                .setPartitionIndex(partition)
                                .setTimestamp(timestamp)
                                .setCurrentLeaderEpoch(-1)))));
    }

    static MetadataRequestData metadata(String topic, boolean allowAutoCreation) {
        return new MetadataRequestData()
                .setAllowAutoTopicCreation(allowAutoCreation)
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)));
    }

    static OffsetCommitRequestData offsetCommit(
            String group, int generation, String member, String topic, long offset) {
        return new OffsetCommitRequestData()
                .setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation)
                .setMemberId(member)
                .setGroupInstanceId(null)
                .setRetentionTimeMs(-1)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0)
                                .setCommittedOffset(offset)
                                .setCommittedLeaderEpoch(-1)
                                .setCommittedMetadata("")))));
    }
}
