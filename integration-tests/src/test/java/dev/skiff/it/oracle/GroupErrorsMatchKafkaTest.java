package dev.skiff.it.oracle;

import dev.skiff.it.Poll;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group answers outside a rebalance: offsets committed by a client that is not in the group (an admin-style commit,
 * generation -1), by a member the group does not know, into a group that does not exist; and offsets fetched for
 * a group that never committed. Skiff must answer as Apache Kafka 4 does.
 */
class GroupErrorsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static final String TOPIC = "group-topic";
    private static final Set<String> NOT_READY = OracleAndSkiff.COORDINATOR_NOT_READY;

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic(TOPIC, 1);
    }

    /** The partition error of an OffsetCommit, asked again while the coordinator is still loading. */
    private static String commit(OracleAndSkiff.Target t, String group, int generation, String member, int version) {
        t.awaitGroupCoordinator(group);
        return Poll.until(
                "an OffsetCommit answer from " + t.name(),
                () -> {
                    try (KafkaWire wire = t.connect()) {
                        OffsetCommitResponseData r =
                                wire.send(Requests.offsetCommit(group, generation, member, TOPIC, 5), version);
                        return Errors.forCode(
                                        r.topics().get(0).partitions().get(0).errorCode())
                                .name();
                    }
                },
                e -> !NOT_READY.contains(e));
    }

    @ParameterizedTest(name = "OffsetCommit v{0}")
    @ValueSource(ints = {2, 8})
    void offsetCommitErrors(int version) throws Exception {
        String group = "g-existing-v" + version;
        brokers.same(
                "OffsetCommit v" + version + " with generation -1 (no member) creates the group",
                t -> commit(t, group, -1, "", version));
        brokers.same(
                "OffsetCommit v" + version + " by an unknown member of an existing group",
                t -> commit(t, group, 1, "ghost-member", version));
        brokers.same(
                "OffsetCommit v" + version + " by a member into a group that does not exist",
                t -> commit(t, "g-missing-v" + version, 3, "ghost-member", version));
    }

    private static List<Object> fetchOffsets(OracleAndSkiff.Target t, String group) {
        t.awaitGroupCoordinator(group);
        return Poll.until(
                "an OffsetFetch answer from " + t.name(),
                () -> {
                    try (KafkaWire wire = t.connect()) {
                        OffsetFetchResponseData r = wire.send(
                                new OffsetFetchRequestData()
                                        .setGroupId(group)
                                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                                                .setName(TOPIC)
                                                .setPartitionIndexes(List.of(0)))),
                                5);
                        OffsetFetchResponseData.OffsetFetchResponsePartition p =
                                r.topics().get(0).partitions().get(0);
                        return List.<Object>of(
                                Errors.forCode(r.errorCode()).name(),
                                Errors.forCode(p.errorCode()).name(),
                                p.committedOffset(),
                                p.metadata() == null ? "null" : p.metadata());
                    }
                },
                a -> !NOT_READY.contains(a.get(0)));
    }

    @ParameterizedTest(name = "OffsetFetch v5 #{0}")
    @ValueSource(ints = {1})
    void offsetFetchOfAGroupThatNeverCommitted(int ignored) throws Exception {
        brokers.same("OffsetFetch v5 for a group that never committed", t -> fetchOffsets(t, "g-never"));
    }
}
