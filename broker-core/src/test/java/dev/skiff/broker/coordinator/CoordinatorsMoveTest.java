package dev.skiff.broker.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.AppendOrigin;
import dev.skiff.broker.Broker;
import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.FakeController;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.GroupState;
import dev.skiff.broker.txn.TransactionState;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddOffsetsToTxnRequestData;
import dev.skiff.protocol.message.AddPartitionsToTxnRequestData;
import dev.skiff.protocol.message.EndTxnRequestData;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import dev.skiff.protocol.message.HeartbeatRequestData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.JoinGroupRequestData;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.SyncGroupRequestData;
import dev.skiff.protocol.message.TxnOffsetCommitRequestData;
import dev.skiff.protocol.message.TxnOffsetCommitResponseData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Coordinators that follow the leadership of the internal topics' partitions, driven the way replication will
 * drive them (onBecomeLeader / onResign called by hand) over two brokers that share nothing but the internal
 * partition's records, copied from one log to the other as a follower would fetch them.
 */
class CoordinatorsMoveTest {

    private static final String GROUP = "orders-app";
    private static final TopicPartition OFFSETS_0 = new TopicPartition(InternalTopics.GROUP_METADATA, 0);
    private static final TopicPartition TXN_0 = new TopicPartition(InternalTopics.TRANSACTION_STATE, 0);

    private final ArrayDeque<Runnable> loadsA = new ArrayDeque<>();
    private final ArrayDeque<Runnable> loadsB = new ArrayDeque<>();
    private final FakeController controller = new FakeController().broker(0).broker(1);
    private final Broker a = broker(0);
    private final Broker b = broker(1);

    private static Broker broker(int id) {
        Broker broker = new Broker(
                BrokerConfig.of(Map.of("node.id", Integer.toString(id), "group.initial.rebalance.delay.ms", "0")),
                LogFactory.memory());
        broker.createTopics(Map.of("t", 1));
        return broker;
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private Coordinators peer(int id) {
        return id == 0 ? a.coordinators() : id == 1 ? b.coordinators() : null;
    }

    private void joinCluster(Broker broker, ArrayDeque<Runnable> loads) {
        broker.coordinators().useLoader(loads::add);
        Supplier<dev.skiff.broker.cluster.MetadataImage> image = controller::image;
        broker.coordinators().joinCluster(image, controller, this::peer);
    }

    private static void runAll(ArrayDeque<Runnable> loads) {
        for (Runnable r; (r = loads.poll()) != null; ) r.run();
    }

    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> T call(Broker broker, ApiKeys api, int version, ApiMessage request) {
        return (T) broker.handle(new RequestContext(api, (short) version, 1, "test", "127.0.0.1:1", 1), request)
                .join();
    }

    private static <T extends ApiMessage> CompletableFuture<T> send(
            Broker broker, ApiKeys api, int version, ApiMessage request) {
        @SuppressWarnings("unchecked")
        CompletableFuture<T> f = (CompletableFuture<T>) (CompletableFuture<?>)
                broker.handle(new RequestContext(api, (short) version, 1, "test", "127.0.0.1:1", 1), request);
        return f;
    }

    private static Errors thrown(Runnable call) {
        return assertThrows(ApiException.class, call::run).error();
    }

    /** Copies the records of an internal partition from one broker's log into the other's, as a follower would. */
    private static void replicate(Broker from, Broker to, TopicPartition tp) {
        Partition source = from.topics().get(tp.topic()).partition(tp.partition());
        Partition target = to.topics()
                .getOrCreateInternal(tp.topic(), 1, Map.of("cleanup.policy", "compact"))
                .partition(tp.partition());
        long end = source.log().logEndOffset();
        if (end > 0) target.append(source.read(0, 1 << 20, true).readFully());
        assertEquals(end, target.log().logEndOffset());
    }

    private static JoinGroupRequestData join(String memberId) {
        return new JoinGroupRequestData()
                .setGroupId(GROUP)
                .setMemberId(memberId)
                .setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(30_000)
                .setProtocolType("consumer")
                .setProtocols(List.of(new JoinGroupRequestData.JoinGroupRequestProtocol()
                        .setName("range")
                        .setMetadata("m".getBytes(StandardCharsets.UTF_8))));
    }

    private static HeartbeatRequestData heartbeat(String memberId, int generation) {
        return new HeartbeatRequestData()
                .setGroupId(GROUP)
                .setMemberId(memberId)
                .setGenerationId(generation);
    }

    /** InitProducerId v4 of a new transactional producer (timeout one minute). */
    private static InitProducerIdResponseData initProducerId(Broker broker, String transactionalId) {
        return call(
                broker,
                ApiKeys.INIT_PRODUCER_ID,
                4,
                new InitProducerIdRequestData()
                        .setTransactionalId(transactionalId)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1));
    }

    /** AddPartitionsToTxn v3: partition 0 of topic "t" joins transaction "tx" of producer {@code p}. */
    private static void addT0ToTransaction(Broker coordinator, InitProducerIdResponseData p) {
        call(
                coordinator,
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                3,
                new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId("tx")
                        .setV3AndBelowProducerId(p.producerId())
                        .setV3AndBelowProducerEpoch(p.producerEpoch())
                        .setV3AndBelowTopics(List.of(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic()
                                .setName("t")
                                .setPartitions(List.of(0)))));
    }

    /** EndTxn committing transaction "tx" of producer {@code p}. */
    private static EndTxnRequestData commit(InitProducerIdResponseData p) {
        return new EndTxnRequestData()
                .setTransactionalId("tx")
                .setProducerId(p.producerId())
                .setProducerEpoch(p.producerEpoch())
                .setCommitted(true);
    }

    @Test
    void aGroupAndItsOffsetsMoveWithTheLeadershipOfTheirPartition() {
        // broker 0 alone: a stable group with a committed offset
        a.coordinators().useLoader(loadsA::add);
        JoinGroupResponseData joined = call(a, ApiKeys.JOIN_GROUP, 3, join(""));
        assertEquals(0, joined.errorCode());
        String member = joined.memberId();
        call(
                a,
                ApiKeys.SYNC_GROUP,
                3,
                new SyncGroupRequestData()
                        .setGroupId(GROUP)
                        .setGenerationId(joined.generationId())
                        .setMemberId(member)
                        .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                                .setMemberId(member)
                                .setAssignment(new byte[] {1}))));
        OffsetCommitResponseData committed = call(
                a,
                ApiKeys.OFFSET_COMMIT,
                8,
                new OffsetCommitRequestData()
                        .setGroupId(GROUP)
                        .setGenerationIdOrMemberEpoch(joined.generationId())
                        .setMemberId(member)
                        .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName("t")
                                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(42))))));
        assertEquals(0, committed.topics().get(0).partitions().get(0).errorCode());
        // a second member's join waits for the first to rejoin
        CompletableFuture<JoinGroupResponseData> waiting = send(a, ApiKeys.JOIN_GROUP, 3, join(""));
        assertTrue(!waiting.isDone());

        // the leadership of __consumer_offsets-0 moves away: NOT_COORDINATOR at once, state dropped by the loader
        a.coordinators().onResign(OFFSETS_0, 1);
        assertEquals(
                Errors.NOT_COORDINATOR,
                thrown(() -> call(a, ApiKeys.HEARTBEAT, 3, heartbeat(member, joined.generationId()))));
        runAll(loadsA);
        assertEquals(Errors.NOT_COORDINATOR.code(), waiting.join().errorCode());
        assertNull(a.groupCoordinator().describe(GROUP));
        assertNull(a.offsets().fetch(GROUP, new TopicPartition("t", 0)));

        // broker 1 becomes its leader with nothing but the replicated records
        controller.topic(InternalTopics.GROUP_METADATA, 1);
        joinCluster(b, loadsB);
        replicate(a, b, OFFSETS_0);
        assertEquals(
                Errors.NOT_COORDINATOR,
                thrown(() -> call(b, ApiKeys.HEARTBEAT, 3, heartbeat(member, joined.generationId()))));
        b.coordinators().onBecomeLeader(OFFSETS_0, 2);
        assertEquals(
                Errors.COORDINATOR_LOAD_IN_PROGRESS,
                thrown(() -> call(b, ApiKeys.HEARTBEAT, 3, heartbeat(member, joined.generationId()))));
        runAll(loadsB);

        assertEquals(42, b.offsets().fetch(GROUP, new TopicPartition("t", 0)).offset());
        GroupCoordinator.GroupSummary g = b.groupCoordinator().describe(GROUP);
        assertNotNull(g);
        assertEquals(GroupState.EMPTY, g.state());
        assertEquals("consumer", g.protocolType());
        // members rejoin the new coordinator, which carries the generation on
        JoinGroupResponseData rejoined = call(b, ApiKeys.JOIN_GROUP, 3, join(""));
        assertEquals(0, rejoined.errorCode());
        assertEquals(joined.generationId() + 1, rejoined.generationId());
    }

    @Test
    void findCoordinatorNamesTheLeaderOfTheKeysPartition() {
        controller.topic(InternalTopics.GROUP_METADATA, 0).topic(InternalTopics.TRANSACTION_STATE, 1);
        joinCluster(b, loadsB);
        FindCoordinatorResponseData r = call(
                b,
                ApiKeys.FIND_COORDINATOR,
                4,
                new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(GROUP)));
        var c = r.coordinators().get(0);
        assertEquals(List.of(0, 0, "host-0", 9000), List.of((int) c.errorCode(), c.nodeId(), c.host(), c.port()));
        FindCoordinatorResponseData old = call(
                b,
                ApiKeys.FIND_COORDINATOR,
                3,
                new FindCoordinatorRequestData().setKeyType((byte) 1).setKey("tx"));
        // in a cluster every coordinator, this broker included, is named by its registered endpoint
        assertEquals(List.of(0, 1, "host-1"), List.of((int) old.errorCode(), old.nodeId(), old.host()));
        // a key type Skiff does not coordinate (share groups) fails the request
        assertEquals(
                Errors.INVALID_REQUEST,
                thrown(() -> call(
                        b,
                        ApiKeys.FIND_COORDINATOR,
                        6,
                        new FindCoordinatorRequestData().setKeyType((byte) 2).setCoordinatorKeys(List.of("x")))));
    }

    @Test
    void anOngoingTransactionIsCompletedByTheNewCoordinator() {
        // broker 0 leads the transaction log and the data partition
        controller.topic(InternalTopics.TRANSACTION_STATE, 0).topic("t", 0);
        joinCluster(a, loadsA);
        joinCluster(b, loadsB);
        a.coordinators().onBecomeLeader(TXN_0, 0);
        runAll(loadsA);
        InitProducerIdResponseData p = initProducerId(a, "tx");
        assertEquals(0, p.errorCode());
        assertEquals(0, p.producerId() & 0xffff, "broker 0's producer ids end in its id");
        addT0ToTransaction(a, p);
        Partition data = a.topics().get("t").partition(0);
        data.append(new RecordBatchBuilder(CompressionType.NONE)
                .producer(p.producerId(), p.producerEpoch(), 0)
                .transactional(true)
                .append(1L, null, "v".getBytes(StandardCharsets.UTF_8))
                .build());
        assertEquals(0, data.lastStableOffset(), "the open transaction holds the stable offset back");

        // the transaction log's leadership moves to broker 1, which loads the ongoing transaction
        a.coordinators().onResign(TXN_0, 1);
        runAll(loadsA);
        assertNull(a.transactions().describe("tx"));
        controller.topic(InternalTopics.TRANSACTION_STATE, 1);
        replicate(a, b, TXN_0);
        b.coordinators().onBecomeLeader(TXN_0, 1);
        EndTxnRequestData commit = commit(p);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, thrown(() -> call(b, ApiKeys.END_TXN, 3, commit)));
        assertEquals(Errors.NOT_COORDINATOR, thrown(() -> call(a, ApiKeys.END_TXN, 3, commit)));
        runAll(loadsB);
        assertEquals(TransactionState.ONGOING, b.transactions().describe("tx").state());

        // broker 1 commits: the marker goes to broker 0, the data partition's leader
        call(b, ApiKeys.END_TXN, 3, commit);
        assertEquals(
                TransactionState.COMPLETE_COMMIT,
                b.transactions().describe("tx").state());
        assertEquals(2, data.log().logEndOffset(), "one record and the commit marker");
        assertEquals(2, data.lastStableOffset());
        // and broker 1 hands out producer ids of its own
        InitProducerIdResponseData other = initProducerId(b, "tx-2");
        assertEquals(1, other.producerId() & 0xffff);
    }

    @Test
    void transactionalOffsetsReachTheGroupsCoordinatorOnAnotherBroker() {
        // broker 0 coordinates the transaction, broker 1 the group
        controller
                .topic(InternalTopics.TRANSACTION_STATE, 0)
                .topic(InternalTopics.GROUP_METADATA, 1)
                .topic("t", 0);
        joinCluster(a, loadsA);
        joinCluster(b, loadsB);
        a.coordinators().onBecomeLeader(TXN_0, 0);
        b.coordinators().onBecomeLeader(OFFSETS_0, 0);
        runAll(loadsA);
        runAll(loadsB);
        InitProducerIdResponseData p = initProducerId(a, "tx");
        call(
                a,
                ApiKeys.ADD_OFFSETS_TO_TXN,
                3,
                new AddOffsetsToTxnRequestData()
                        .setTransactionalId("tx")
                        .setProducerId(p.producerId())
                        .setProducerEpoch(p.producerEpoch())
                        .setGroupId(GROUP));
        TxnOffsetCommitResponseData sent = call(
                b,
                ApiKeys.TXN_OFFSET_COMMIT,
                3,
                new TxnOffsetCommitRequestData()
                        .setTransactionalId("tx")
                        .setGroupId(GROUP)
                        .setProducerId(p.producerId())
                        .setProducerEpoch(p.producerEpoch())
                        .setGenerationId(-1)
                        .setMemberId("")
                        .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                                .setName("t")
                                .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0)
                                        .setCommittedOffset(17))))));
        assertEquals(0, sent.topics().get(0).partitions().get(0).errorCode());
        assertEquals(
                Errors.NOT_COORDINATOR,
                thrown(() ->
                        call(a, ApiKeys.TXN_OFFSET_COMMIT, 3, new TxnOffsetCommitRequestData().setGroupId(GROUP))));
        OffsetFetchRequestData fetch = new OffsetFetchRequestData()
                .setGroupId(GROUP)
                .setRequireStable(true)
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName("t")
                        .setPartitionIndexes(List.of(0))));
        OffsetFetchResponseData pending = call(b, ApiKeys.OFFSET_FETCH, 7, fetch);
        assertEquals(
                Errors.UNSTABLE_OFFSET_COMMIT.code(),
                pending.topics().get(0).partitions().get(0).errorCode());

        call(a, ApiKeys.END_TXN, 3, commit(p));
        assertEquals(17, b.offsets().fetch(GROUP, new TopicPartition("t", 0)).offset());
        OffsetFetchResponseData stable = call(b, ApiKeys.OFFSET_FETCH, 7, fetch);
        assertEquals(17, stable.topics().get(0).partitions().get(0).committedOffset());
    }

    private static Errors produceTransactional(Broker leader, long producerId, short epoch, int sequence) {
        var topic = leader.partitions().topic("t");
        var records = BufferRecords.of(new RecordBatchBuilder(CompressionType.NONE)
                .producer(producerId, epoch, sequence)
                .transactional(true)
                .append(1L, null, "v".getBytes(StandardCharsets.UTF_8))
                .build());
        try {
            leader.partitions()
                    .appendRecords(topic, topic.partition(0), records, (short) 1, AppendOrigin.CLIENT, false);
            return Errors.NONE;
        } catch (ApiException e) {
            return e.error();
        }
    }

    /**
     * The leader of a data partition lets a transactional batch in by asking the producer's coordinator, which
     * may run on another broker: a leader that asked only its own coordinator refused every batch of a
     * transaction coordinated elsewhere (INVALID_TXN_STATE), so a producer whose coordinator and partition
     * leader differ (as after a failover moves them apart) could never commit. While the coordinator moves, the
     * answer is one producers retry.
     */
    @Test
    void aTransactionalBatchIsVerifiedByItsCoordinatorOnAnotherBroker() {
        // broker 0 coordinates the transaction, broker 1 leads the data partition
        controller.topic(InternalTopics.TRANSACTION_STATE, 0).topic("t", 1);
        joinCluster(a, loadsA);
        joinCluster(b, loadsB);
        a.coordinators().onBecomeLeader(TXN_0, 0);
        runAll(loadsA);
        InitProducerIdResponseData p = initProducerId(a, "tx");
        assertEquals(
                Errors.INVALID_TXN_STATE,
                produceTransactional(b, p.producerId(), p.producerEpoch(), 0),
                "the partition is not in the transaction yet");
        addT0ToTransaction(a, p);
        assertEquals(Errors.NONE, produceTransactional(b, p.producerId(), p.producerEpoch(), 0));
        assertEquals(
                Errors.INVALID_PRODUCER_EPOCH,
                produceTransactional(b, p.producerId(), (short) (p.producerEpoch() - 1), 1));
        assertEquals(
                Errors.INVALID_TXN_STATE,
                produceTransactional(b, p.producerId() + 1, (short) 0, 0),
                "a producer no coordinator knows");

        // the coordinator moves to broker 1: while it loads, the batch is to be retried; then it is let in
        a.coordinators().onResign(TXN_0, 1);
        runAll(loadsA);
        controller.topic(InternalTopics.TRANSACTION_STATE, 1);
        replicate(a, b, TXN_0);
        b.coordinators().onBecomeLeader(TXN_0, 1);
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, produceTransactional(b, p.producerId(), p.producerEpoch(), 1));
        assertEquals(
                Errors.NOT_ENOUGH_REPLICAS,
                produceTransactional(b, p.producerId() + 1, (short) 0, 0),
                "unknown until every coordinator has loaded");
        runAll(loadsB);
        assertEquals(Errors.NONE, produceTransactional(b, p.producerId(), p.producerEpoch(), 1));
        assertEquals(Errors.INVALID_TXN_STATE, produceTransactional(b, p.producerId() + 1, (short) 0, 0));

        // and the new coordinator commits it: two records and the marker
        call(b, ApiKeys.END_TXN, 3, commit(p));
        Partition data = b.topics().get("t").partition(0);
        assertEquals(3, data.log().logEndOffset());
        assertEquals(3, data.lastStableOffset());
    }

    @Test
    void aMarkerForAPartitionAnotherBrokerLeadsIsRefused() {
        controller.topic("t", 1);
        joinCluster(a, loadsA);
        ApiException e = assertThrows(
                ApiException.class,
                () -> a.coordinators().localMarkers().write(List.of(new TopicPartition("t", 0)), 5, (short) 0, true));
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, e.error());
    }
}
