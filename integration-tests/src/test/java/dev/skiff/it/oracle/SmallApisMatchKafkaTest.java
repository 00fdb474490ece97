package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.CreateDelegationTokenRequestData;
import org.apache.kafka.common.message.CreateDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeDelegationTokenRequestData;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ExpireDelegationTokenRequestData;
import org.apache.kafka.common.message.ExpireDelegationTokenResponseData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.RenewDelegationTokenRequestData;
import org.apache.kafka.common.message.RenewDelegationTokenResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The small admin APIs kafka-clients 4.x and the stock tools call, against Apache Kafka 4.1.1 on one node: the
 * delegation token APIs without a token secret, ElectLeaders, List/AlterPartitionReassignments and
 * ListConfigResources, compared by error codes and names (node ids differ, so a broker id is written as "self").
 */
class SmallApisMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic("small-a", 2);
    }

    private static int self(OracleAndSkiff.Target t) {
        // the oracle runs as node 1, Skiff as its node.id default 0
        return t.name().equals("Skiff") ? 0 : 1;
    }

    @Test
    void delegationTokensWithoutASecret() throws Exception {
        for (int v = 1; v <= 3; v++) {
            int version = v;
            brokers.same("CreateDelegationToken v" + v, t -> {
                try (KafkaWire w = t.connect()) {
                    CreateDelegationTokenResponseData r =
                            w.send(new CreateDelegationTokenRequestData().setMaxLifetimeMs(-1), version);
                    return Errors.forCode(r.errorCode());
                }
            });
            brokers.same("DescribeDelegationToken v" + v, t -> {
                try (KafkaWire w = t.connect()) {
                    DescribeDelegationTokenResponseData r =
                            w.send(new DescribeDelegationTokenRequestData().setOwners(null), version);
                    return Errors.forCode(r.errorCode()) + " " + r.tokens().size();
                }
            });
        }
        for (int v = 1; v <= 2; v++) {
            int version = v;
            brokers.same("RenewDelegationToken v" + v, t -> {
                try (KafkaWire w = t.connect()) {
                    RenewDelegationTokenResponseData r =
                            w.send(new RenewDelegationTokenRequestData().setHmac(new byte[] {1, 2, 3}), version);
                    return Errors.forCode(r.errorCode());
                }
            });
            brokers.same("ExpireDelegationToken v" + v, t -> {
                try (KafkaWire w = t.connect()) {
                    ExpireDelegationTokenResponseData r =
                            w.send(new ExpireDelegationTokenRequestData().setHmac(new byte[] {1, 2, 3}), version);
                    return Errors.forCode(r.errorCode());
                }
            });
        }
    }

    @Test
    void electLeadersOnOneNode() throws Exception {
        for (byte type = 0; type <= 1; type++) {
            byte electionType = type;
            brokers.same("ElectLeaders named partitions, type " + type, t -> {
                try (KafkaWire w = t.connect()) {
                    ElectLeadersRequestData req = new ElectLeadersRequestData()
                            .setElectionType(electionType)
                            .setTimeoutMs(10_000);
                    req.topicPartitions()
                            .add(new ElectLeadersRequestData.TopicPartitions()
                                    .setTopic("small-a")
                                    .setPartitions(List.of(0, 1, 7)));
                    req.topicPartitions()
                            .add(new ElectLeadersRequestData.TopicPartitions()
                                    .setTopic("no-such-topic")
                                    .setPartitions(List.of(0)));
                    ElectLeadersResponseData r = w.send(req, 2);
                    return electionResults(r);
                }
            });
            brokers.same("ElectLeaders of all partitions, type " + type, t -> {
                try (KafkaWire w = t.connect()) {
                    ElectLeadersResponseData r = w.send(
                            new ElectLeadersRequestData()
                                    .setElectionType(electionType)
                                    .setTopicPartitions(null)
                                    .setTimeoutMs(10_000),
                            2);
                    return electionResults(r);
                }
            });
        }
    }

    private static List<String> electionResults(ElectLeadersResponseData r) {
        List<String> out = new ArrayList<>();
        out.add("top " + Errors.forCode(r.errorCode()));
        for (ElectLeadersResponseData.ReplicaElectionResult t : r.replicaElectionResults())
            for (ElectLeadersResponseData.PartitionResult p : t.partitionResult())
                out.add(t.topic() + "-" + p.partitionId() + " " + Errors.forCode(p.errorCode()));
        out.sort(null);
        return out;
    }

    @Test
    void reassignments() throws Exception {
        brokers.same("ListPartitionReassignments of all", t -> {
            try (KafkaWire w = t.connect()) {
                ListPartitionReassignmentsResponseData r =
                        w.send(new ListPartitionReassignmentsRequestData().setTopics(null), 0);
                return Errors.forCode(r.errorCode()) + " " + r.topics().size();
            }
        });
        brokers.same("ListPartitionReassignments named", t -> {
            try (KafkaWire w = t.connect()) {
                ListPartitionReassignmentsRequestData req = new ListPartitionReassignmentsRequestData();
                req.setTopics(new ArrayList<>());
                req.topics()
                        .add(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                                .setName("small-a")
                                .setPartitionIndexes(List.of(0, 1, 9)));
                req.topics()
                        .add(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                                .setName("no-such-topic")
                                .setPartitionIndexes(List.of(0)));
                ListPartitionReassignmentsResponseData r = w.send(req, 0);
                return Errors.forCode(r.errorCode()) + " " + r.topics().size();
            }
        });
        for (int v = 0; v <= 1; v++) {
            int version = v;
            brokers.same("AlterPartitionReassignments v" + v, t -> {
                int self = self(t);
                try (KafkaWire w = t.connect()) {
                    AlterPartitionReassignmentsRequestData req = new AlterPartitionReassignmentsRequestData();
                    if (version >= 1) req.setAllowReplicationFactorChange(false);
                    AlterPartitionReassignmentsRequestData.ReassignableTopic a =
                            new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("small-a");
                    a.partitions().add(partition(0, List.of(self)));
                    a.partitions().add(partition(1, null));
                    a.partitions().add(partition(5, List.of(self)));
                    req.topics().add(a);
                    AlterPartitionReassignmentsRequestData.ReassignableTopic b =
                            new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("small-a");
                    b.partitions().add(partition(0, List.of()));
                    b.partitions().add(partition(1, List.of(self, self)));
                    b.partitions().add(partition(0, List.of(self, 77)));
                    b.partitions().add(partition(1, List.of(77)));
                    req.topics().add(b);
                    AlterPartitionReassignmentsRequestData.ReassignableTopic c =
                            new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("no-such-topic");
                    c.partitions().add(partition(0, List.of(self)));
                    req.topics().add(c);
                    AlterPartitionReassignmentsResponseData r = w.send(req, version);
                    List<String> out = new ArrayList<>();
                    out.add("top " + Errors.forCode(r.errorCode()));
                    for (AlterPartitionReassignmentsResponseData.ReassignableTopicResponse rt : r.responses())
                        for (AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse p : rt.partitions())
                            out.add(rt.name() + "-" + p.partitionIndex() + " " + Errors.forCode(p.errorCode()));
                    return out;
                }
            });
        }
    }

    private static AlterPartitionReassignmentsRequestData.ReassignablePartition partition(
            int index, List<Integer> replicas) {
        return new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                .setPartitionIndex(index)
                .setReplicas(replicas);
    }

    @Test
    void listConfigResources() throws Exception {
        brokers.same("ListConfigResources v0", t -> {
            try (KafkaWire w = t.connect()) {
                ListConfigResourcesResponseData r = w.send(new ListConfigResourcesRequestData(), 0);
                return Errors.forCode(r.errorCode()) + " " + r.configResources().size();
            }
        });
        for (List<Byte> types :
                List.of(List.of((byte) 16), List.of((byte) 2), List.of((byte) 4), List.of((byte) 2, (byte) 16))) {
            brokers.same("ListConfigResources v1 " + types, t -> {
                try (KafkaWire w = t.connect()) {
                    ListConfigResourcesResponseData r =
                            w.send(new ListConfigResourcesRequestData().setResourceTypes(types), 1);
                    List<String> out = new ArrayList<>();
                    out.add("error " + Errors.forCode(r.errorCode()));
                    for (ListConfigResourcesResponseData.ConfigResource c : r.configResources()) {
                        if (c.resourceType() == 2 && !c.resourceName().startsWith("small-")) continue;
                        String name = c.resourceType() == 4
                                ? (c.resourceName().equals(String.valueOf(self(t))) ? "self" : c.resourceName())
                                : c.resourceName();
                        out.add(c.resourceType() + ":" + name);
                    }
                    return out;
                }
            });
        }
        for (byte bad : new byte[] {0, 1, 3, 64, -1}) {
            brokers.same("ListConfigResources v1 of type " + bad, t -> {
                try (KafkaWire w = t.connect()) {
                    ListConfigResourcesResponseData r =
                            w.send(new ListConfigResourcesRequestData().setResourceTypes(Arrays.asList(bad)), 1);
                    return Errors.forCode(r.errorCode()) + " "
                            + r.configResources().size();
                }
            });
        }
    }
}
