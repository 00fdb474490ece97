package dev.skiff.it.cluster;

import dev.skiff.it.oracle.KafkaWire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * What a client sees of two topics, asked on the wire (Metadata v12, Produce v9) of one broker: the raw answers and
 * a normalised form (sets where order is not meaningful, error names, broker ids) that two clusters with the same
 * state give alike. The replicated topic has three replicas, the single one has one.
 */
record ClientView(
        Set<Integer> brokers,
        MetadataResponseData.MetadataResponsePartition replicatedPartition,
        MetadataResponseData.MetadataResponsePartition singlePartition,
        List<String> produceErrors,
        String raw) {

    static final int METADATA_VERSION = 12;
    static final int PRODUCE_VERSION = 9;

    /** Asks broker {@code via}; also produces to the replicated topic's leader and followers and to the single one. */
    static ClientView of(ClusterTarget c, int via, String replicated, String single) throws Exception {
        MetadataResponseData md;
        try (KafkaWire wire = new KafkaWire(c.host(via), c.port(via))) {
            md = wire.send(
                    new MetadataRequestData()
                            .setTopics(List.of(
                                    new MetadataRequestData.MetadataRequestTopic().setName(replicated),
                                    new MetadataRequestData.MetadataRequestTopic().setName(single)))
                            .setAllowAutoTopicCreation(false),
                    METADATA_VERSION);
        }
        Set<Integer> brokers = new TreeSet<>();
        md.brokers().forEach(b -> brokers.add(b.nodeId()));
        MetadataResponseData.MetadataResponsePartition rep = partition0(md, replicated);
        MetadataResponseData.MetadataResponsePartition one = partition0(md, single);

        List<String> produce = new ArrayList<>();
        // the replicated topic, on every live replica: the leader takes it, a follower refuses it
        for (int replica : rep.replicaNodes()) {
            if (!brokers.contains(replica)) continue;
            String role = replica == rep.leaderId() ? "leader" : "follower";
            produce.add("rf3@" + role + "=" + produce(c, replica, replicated));
        }
        // the single-replica topic, on a live broker that has no replica of it
        produce.add("rf1@other=" + produce(c, via, single));
        return new ClientView(brokers, rep, one, produce, md.toString());
    }

    private static MetadataResponseData.MetadataResponsePartition partition0(MetadataResponseData md, String topic) {
        for (MetadataResponseData.MetadataResponseTopic t : md.topics()) {
            if (t.name().equals(topic)) {
                if (t.errorCode() != 0) throw new IllegalStateException(topic + ": " + Errors.forCode(t.errorCode()));
                for (MetadataResponseData.MetadataResponsePartition p : t.partitions())
                    if (p.partitionIndex() == 0) return p;
            }
        }
        throw new IllegalStateException("no partition 0 of " + topic + " in " + md);
    }

    private static String produce(ClusterTarget c, int broker, String topic) throws Exception {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(
                                Compression.NONE,
                                new SimpleRecord(
                                        System.currentTimeMillis(), null, "seen".getBytes(StandardCharsets.UTF_8)))))));
        ProduceResponseData r;
        try (KafkaWire wire = new KafkaWire(c.host(broker), c.port(broker))) {
            r = wire.send(
                    new ProduceRequestData()
                            .setAcks((short) 1)
                            .setTimeoutMs(10_000)
                            .setTopicData(topics),
                    PRODUCE_VERSION);
        }
        return Errors.forCode(r.responses()
                        .iterator()
                        .next()
                        .partitionResponses()
                        .get(0)
                        .errorCode())
                .name();
    }

    Set<Integer> replicatedIsr() {
        return new TreeSet<>(replicatedPartition.isrNodes());
    }

    int replicatedLeaderEpoch() {
        return replicatedPartition.leaderEpoch();
    }

    /** The answers with the broker ids and errors that matter, order-free where Kafka's order is not a rule. */
    List<String> normalised() {
        List<String> out = new ArrayList<>();
        out.add("brokers=" + brokers);
        out.add("rf3 " + describe(replicatedPartition));
        out.add("rf1 " + describe(singlePartition));
        out.addAll(produceErrors);
        return out;
    }

    private static String describe(MetadataResponseData.MetadataResponsePartition p) {
        return Errors.forCode(p.errorCode()).name() + " leader=" + p.leaderId() + " replicas=" + p.replicaNodes()
                + " isr=" + new TreeSet<>(p.isrNodes()) + " offline=" + new TreeSet<>(p.offlineReplicas());
    }

    static List<String> expectedBefore(List<Integer> ids, int victim, int first, int second) {
        List<Integer> replicas = List.of(victim, first, second);
        return List.of(
                "brokers=" + new TreeSet<>(ids),
                "rf3 NONE leader=" + victim + " replicas=" + replicas + " isr=" + new TreeSet<>(replicas)
                        + " offline=[]",
                "rf1 NONE leader=" + victim + " replicas=[" + victim + "] isr=[" + victim + "] offline=[]",
                "rf3@leader=NONE",
                "rf3@follower=NOT_LEADER_OR_FOLLOWER",
                "rf3@follower=NOT_LEADER_OR_FOLLOWER",
                "rf1@other=NOT_LEADER_OR_FOLLOWER");
    }

    /**
     * After {@code victim} (leader of both) is killed: the first replica still in sync leads the replicated
     * partition; the single one has no leader, keeps its last ISR and lists the dead broker as offline.
     */
    static List<String> expectedAfter(List<Integer> ids, int victim, int first, int second) {
        Set<Integer> live = new TreeSet<>(ids);
        live.remove(victim);
        return List.of(
                "brokers=" + live,
                "rf3 NONE leader=" + first + " replicas=" + List.of(victim, first, second) + " isr="
                        + new TreeSet<>(List.of(first, second)) + " offline=[" + victim + "]",
                "rf1 LEADER_NOT_AVAILABLE leader=-1 replicas=[" + victim + "] isr=[" + victim + "] offline=[" + victim
                        + "]",
                "rf3@leader=NONE",
                "rf3@follower=NOT_LEADER_OR_FOLLOWER",
                "rf1@other=NOT_LEADER_OR_FOLLOWER");
    }
}
