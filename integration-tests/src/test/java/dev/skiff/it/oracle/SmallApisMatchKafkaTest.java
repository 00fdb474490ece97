package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateDelegationTokenRequestData;
import org.apache.kafka.common.message.CreateDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeDelegationTokenRequestData;
import org.apache.kafka.common.message.DescribeDelegationTokenResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
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
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.serialization.StringSerializer;
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
        brokers.createTopic("small-markers", 2);
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

    @Test
    void writeTxnMarkersChecks() throws Exception {
        String[] steps = {
            "abort 1000/5 coordinator 3 on small-markers-0, small-markers-9, no-such-topic-0",
            "abort 1000/4 coordinator 3: an older producer epoch",
            "abort 1000/5 coordinator 2: an older coordinator epoch",
            "commit 1000/6 coordinator 3",
            "commit 1000/6 coordinator 7, twice in one request",
            "abort -1/-1 coordinator 0",
            "no markers",
            "a marker of no partitions"
        };
        for (String step : steps) {
            brokers.same("WriteTxnMarkers: " + step, t -> {
                try (KafkaWire w = t.connect()) {
                    WriteTxnMarkersRequestData req = new WriteTxnMarkersRequestData();
                    switch (step.substring(0, step.indexOf(':') < 0 ? step.length() : step.indexOf(':'))) {
                        case "abort 1000/5 coordinator 3 on small-markers-0, small-markers-9, no-such-topic-0" -> {
                            WriteTxnMarkersRequestData.WritableTxnMarker m = marker(1000, 5, false, 3);
                            m.topics().add(markerTopic("small-markers", 0, 9));
                            m.topics().add(markerTopic("no-such-topic", 0));
                            req.markers().add(m);
                        }
                        case "abort 1000/4 coordinator 3" -> req.markers().add(onPartition0(marker(1000, 4, false, 3)));
                        case "abort 1000/5 coordinator 2" -> req.markers().add(onPartition0(marker(1000, 5, false, 2)));
                        case "commit 1000/6 coordinator 3" -> req.markers().add(onPartition0(marker(1000, 6, true, 3)));
                        case "commit 1000/6 coordinator 7, twice in one request" -> {
                            req.markers().add(onPartition0(marker(1000, 6, true, 7)));
                            req.markers().add(onPartition0(marker(1000, 6, true, 7)));
                        }
                        case "abort -1/-1 coordinator 0" -> req.markers().add(onPartition0(marker(-1, -1, false, 0)));
                        case "no markers" -> {}
                        case "a marker of no partitions" -> req.markers().add(marker(1001, 0, false, 0));
                        default -> throw new IllegalStateException(step);
                    }
                    WriteTxnMarkersResponseData r = w.send(req, 1);
                    List<String> out = markerResults(r);
                    out.add("producers of small-markers-0: " + producers(w, "small-markers", 0));
                    return out;
                }
            });
        }
    }

    @Test
    void writeTxnMarkersAbortAHangingTransaction() throws Exception {
        brokers.same("abort of a transaction whose producer is gone", t -> {
            List<String> out = new ArrayList<>();
            Properties p = new Properties();
            p.put("bootstrap.servers", t.bootstrap());
            p.put("transactional.id", "hanging-" + t.name());
            p.put("transaction.timeout.ms", "600000");
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            KafkaProducer<String, String> producer = new KafkaProducer<>(p);
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("small-markers", 1, "k", "v")).get();
            producer.close(java.time.Duration.ZERO); // gone without ending its transaction
            TopicPartition tp = new TopicPartition("small-markers", 1);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", t.bootstrap()));
                    KafkaWire w = t.connect()) {
                out.add("LSO before: " + lso(admin, tp));
                DescribeProducersResponseData.ProducerState state = w.<DescribeProducersResponseData>send(
                                describeProducers("small-markers", 1), 0)
                        .topics()
                        .get(0)
                        .partitions()
                        .get(0)
                        .activeProducers()
                        .get(0);
                out.add("open at " + state.currentTxnStartOffset() + ", coordinator epoch " + state.coordinatorEpoch());
                WriteTxnMarkersRequestData.WritableTxnMarker m =
                        marker(state.producerId(), state.producerEpoch(), false, Math.max(0, state.coordinatorEpoch()));
                m.topics().add(markerTopic("small-markers", 1));
                out.addAll(markerResults(w.send(new WriteTxnMarkersRequestData().setMarkers(List.of(m)), 1)));
                out.add("LSO after: " + lso(admin, tp));
                out.add("producers: " + producers(w, "small-markers", 1));
                // producer ids are handed out differently
                out.replaceAll(line -> line.replace(String.valueOf(state.producerId()), "P"));
            }
            return out;
        });
    }

    private static long lso(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp)
                .get()
                .offset();
    }

    private static WriteTxnMarkersRequestData.WritableTxnMarker marker(
            long producerId, int epoch, boolean commit, int coordinatorEpoch) {
        return new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId)
                .setProducerEpoch((short) epoch)
                .setTransactionResult(commit)
                .setCoordinatorEpoch(coordinatorEpoch);
    }

    private static WriteTxnMarkersRequestData.WritableTxnMarker onPartition0(
            WriteTxnMarkersRequestData.WritableTxnMarker m) {
        m.topics().add(markerTopic("small-markers", 0));
        return m;
    }

    private static WriteTxnMarkersRequestData.WritableTxnMarkerTopic markerTopic(String name, Integer... partitions) {
        return new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                .setName(name)
                .setPartitionIndexes(Arrays.asList(partitions));
    }

    private static List<String> markerResults(WriteTxnMarkersResponseData r) {
        List<String> out = new ArrayList<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult m : r.markers())
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult t : m.topics())
                for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult p : t.partitions())
                    out.add(m.producerId() + " " + t.name() + "-" + p.partitionIndex() + " "
                            + Errors.forCode(p.errorCode()));
        out.sort(null);
        out.add(0, "producers answered: " + r.markers().size());
        return out;
    }

    private static DescribeProducersRequestData describeProducers(String topic, int partition) {
        return new DescribeProducersRequestData()
                .setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                        .setName(topic)
                        .setPartitionIndexes(List.of(partition))));
    }

    private static List<String> producers(KafkaWire w, String topic, int partition) throws Exception {
        DescribeProducersResponseData d = w.send(describeProducers(topic, partition), 0);
        List<String> out = new ArrayList<>();
        for (DescribeProducersResponseData.ProducerState s :
                d.topics().get(0).partitions().get(0).activeProducers())
            out.add(s.producerId() + " epoch " + s.producerEpoch() + " coordinator epoch " + s.coordinatorEpoch()
                    + " open at " + s.currentTxnStartOffset());
        out.sort(null);
        return out;
    }

    private static final byte UPGRADE = 1, SAFE = 2, UNSAFE = 3;

    @Test
    void updateFeaturesChecks() throws Exception {
        // validate_only (v1+): nothing changes
        Object[][] checks = {
            {"transaction.version", 1, UPGRADE},
            {"transaction.version", 1, SAFE},
            {"transaction.version", 0, UNSAFE},
            {"transaction.version", 3, UPGRADE},
            {"transaction.version", -1, SAFE},
            {"transaction.version", 1, (byte) 4},
            {"transaction.version", 2, UPGRADE},
            {"transaction.version", 2, SAFE},
            {"no.such.feature", 1, UPGRADE},
            {"no.such.feature", 0, SAFE},
        };
        for (int v = 1; v <= 2; v++) {
            for (Object[] c : checks) {
                int version = v;
                brokers.same("UpdateFeatures v" + v + " validate only " + Arrays.toString(c), t -> {
                    try (KafkaWire w = t.connect()) {
                        UpdateFeaturesRequestData req = new UpdateFeaturesRequestData().setValidateOnly(true);
                        req.featureUpdates().add(featureUpdate((String) c[0], (Integer) c[1], (Byte) c[2]));
                        List<String> out = featureResults(w.send(req, version));
                        out.add("finalized " + finalized(w, "transaction.version"));
                        return out;
                    }
                });
            }
        }
        brokers.same("UpdateFeatures of nothing", t -> {
            try (KafkaWire w = t.connect()) {
                return featureResults(w.send(new UpdateFeaturesRequestData(), 1));
            }
        });
        // v0: allow_downgrade, no validate_only; the current level again changes nothing
        for (boolean allow : new boolean[] {false, true}) {
            brokers.same("UpdateFeatures v0 transaction.version 2, allow downgrade " + allow, t -> {
                try (KafkaWire w = t.connect()) {
                    UpdateFeaturesRequestData req = new UpdateFeaturesRequestData();
                    req.featureUpdates()
                            .add(new UpdateFeaturesRequestData.FeatureUpdateKey()
                                    .setFeature("transaction.version")
                                    .setMaxVersionLevel((short) 2)
                                    .setAllowDowngrade(allow));
                    List<String> out = featureResults(w.send(req, 0));
                    out.add("finalized " + finalized(w, "transaction.version"));
                    return out;
                }
            });
        }
        // a real downgrade and the upgrade back: ApiVersions tells the new level under a new epoch
        for (Object[] c : new Object[][] {{1, SAFE}, {2, UPGRADE}}) {
            brokers.same("UpdateFeatures transaction.version to " + c[0], t -> {
                try (KafkaWire w = t.connect()) {
                    long before =
                            w.<ApiVersionsResponseData>send(apiVersions(), 3).finalizedFeaturesEpoch();
                    UpdateFeaturesRequestData req = new UpdateFeaturesRequestData();
                    req.featureUpdates().add(featureUpdate("transaction.version", (Integer) c[0], (Byte) c[1]));
                    List<String> out = featureResults(w.send(req, 2));
                    ApiVersionsResponseData after = awaitFinalized(w, "transaction.version", (Integer) c[0]);
                    out.add("finalized " + finalized(after, "transaction.version"));
                    out.add("epoch moved on: " + (after.finalizedFeaturesEpoch() > before));
                    return out;
                }
            });
        }
    }

    /** Kafka answers an ApiVersions v3 without a valid client software name with no features. */
    private static ApiVersionsRequestData apiVersions() {
        return new ApiVersionsRequestData().setClientSoftwareName("skiff-it").setClientSoftwareVersion("1.0");
    }

    private static UpdateFeaturesRequestData.FeatureUpdateKey featureUpdate(String feature, int level, byte type) {
        return new UpdateFeaturesRequestData.FeatureUpdateKey()
                .setFeature(feature)
                .setMaxVersionLevel((short) level)
                .setUpgradeType(type);
    }

    private static List<String> featureResults(UpdateFeaturesResponseData r) {
        List<String> out = new ArrayList<>();
        out.add("top " + Errors.forCode(r.errorCode()));
        for (UpdateFeaturesResponseData.UpdatableFeatureResult f : r.results())
            out.add(f.feature() + " " + Errors.forCode(f.errorCode()));
        return out;
    }

    private static String finalized(KafkaWire w, String feature) throws Exception {
        ApiVersionsResponseData r = w.send(apiVersions(), 3);
        return finalized(r, feature);
    }

    private static String finalized(ApiVersionsResponseData r, String feature) {
        ApiVersionsResponseData.FinalizedFeatureKey k = r.finalizedFeatures().find(feature);
        return k == null ? "none" : k.minVersionLevel() + "-" + k.maxVersionLevel();
    }

    /** Kafka's brokers learn a new level from the metadata log a moment after the controller answers. */
    private static ApiVersionsResponseData awaitFinalized(KafkaWire w, String feature, int level) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            ApiVersionsResponseData r = w.send(apiVersions(), 3);
            if (finalized(r, feature).equals(level + "-" + level) || System.nanoTime() > deadline) return r;
            Thread.sleep(10);
        }
    }

    @Test
    void unregisterBrokersNotRegistered() throws Exception {
        for (int id : new int[] {77, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            brokers.same("UnregisterBroker " + id, t -> {
                try (KafkaWire w = t.connect()) {
                    UnregisterBrokerResponseData r = w.send(new UnregisterBrokerRequestData().setBrokerId(id), 0);
                    return Errors.forCode(r.errorCode());
                }
            });
        }
    }

    @Test
    void alterReplicaLogDirsWithinOneDir() throws Exception {
        String longName = "t".repeat(240);
        for (int v = 1; v <= 2; v++) {
            int version = v;
            brokers.same("AlterReplicaLogDirs v" + v, t -> {
                try (KafkaWire w = t.connect()) {
                    DescribeLogDirsResponseData d = w.send(new DescribeLogDirsRequestData().setTopics(null), 4);
                    String dir = d.results().get(0).logDir();
                    AlterReplicaLogDirsRequestData req = new AlterReplicaLogDirsRequestData();
                    AlterReplicaLogDirsRequestData.AlterReplicaLogDir current = logDir(dir, "small-a", 0, 1, 9);
                    current.topics().add(logDirTopic("no-such-topic", 0));
                    current.topics().add(logDirTopic(longName, 0));
                    req.dirs().add(current);
                    AlterReplicaLogDirsRequestData.AlterReplicaLogDir none = logDir("/no/such/dir", "small-markers", 0);
                    none.topics().add(logDirTopic("no-such-topic", 1));
                    req.dirs().add(none);
                    req.dirs().add(logDir("", "small-markers", 1));
                    // named twice: the last dir counts
                    req.dirs().add(logDir("/no/such/dir", "small-a", 1));
                    AlterReplicaLogDirsResponseData r = w.send(req, version);
                    List<String> out = new ArrayList<>();
                    for (AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult tr : r.results())
                        for (AlterReplicaLogDirsResponseData.AlterReplicaLogDirPartitionResult p : tr.partitions())
                            out.add((tr.topicName().equals(longName) ? "long" : tr.topicName()) + "-"
                                    + p.partitionIndex() + " " + Errors.forCode(p.errorCode()));
                    out.sort(null);
                    return out;
                }
            });
        }
    }

    private static AlterReplicaLogDirsRequestData.AlterReplicaLogDir logDir(
            String path, String topic, Integer... partitions) {
        AlterReplicaLogDirsRequestData.AlterReplicaLogDir d =
                new AlterReplicaLogDirsRequestData.AlterReplicaLogDir().setPath(path);
        d.topics().add(logDirTopic(topic, partitions));
        return d;
    }

    private static AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic logDirTopic(
            String topic, Integer... partitions) {
        return new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic()
                .setName(topic)
                .setPartitions(Arrays.asList(partitions));
    }
}
