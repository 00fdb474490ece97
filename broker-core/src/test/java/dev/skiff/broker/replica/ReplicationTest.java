package dev.skiff.broker.replica;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.FakeController;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.ReplicationLinks;
import dev.skiff.config.BrokerConfig;
import dev.skiff.log.LeaderEpochCache;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteRecordsRequestData;
import dev.skiff.protocol.message.DeleteRecordsResponseData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication of Kafka's meaning between brokers in one process: in-process replica channels, an in-memory
 * controller. Followers catch up, the high watermark and acks=-1 follow the ISR, the ISR shrinks and grows,
 * min.insync.replicas, leader changes truncate divergent tails, epochs are checked.
 */
class ReplicationTest {
    private static final String T = "t";
    private static final TopicPartition TP = new TopicPartition(T, 0);

    @TempDir
    Path dir;

    private final FakeController controller = new FakeController();
    private final ReplicationLinks links = new ReplicationLinks();
    private final Map<Integer, Broker> live = new ConcurrentHashMap<>();
    private final List<Broker> all = new ArrayList<>();

    @AfterEach
    void stop() {
        all.forEach(Broker::close);
    }

    /**
     * A lag short enough for a cut follower to leave the ISR soon, long enough that a live one (fetching every
     * 100 ms) is never taken for cut when a loaded machine holds its thread back for a moment.
     */
    private static final long SHORT_LAG_MS = 2_000;

    private void start(int n, long lagMs) {
        for (int id = 0; id < n; id++) {
            Broker b = new Broker(
                    BrokerConfig.of(Map.of(
                            "node.id",
                            "" + id,
                            "auto.create.topics.enable",
                            "false",
                            ReplicaConfig.LAG_TIME_MAX_MS,
                            "" + lagMs,
                            ReplicaConfig.FETCH_WAIT_MAX_MS,
                            "100",
                            ReplicaConfig.FETCH_BACKOFF_MS,
                            "20")),
                    LogFactory.files(dir.resolve("b" + id)));
            all.add(b);
            live.put(id, b);
            controller.register(new BrokerEndpoint(id, "127.0.0.1", 9092 + id, null));
        }
        for (Broker b : all)
            b.replicaManager()
                    .joinCluster(controller, InProcessReplicaChannel.factory(live::get, id -> "127.0.0.1"), links);
    }

    private Broker broker(int id) {
        return all.get(id);
    }

    private Partition partition(int id) {
        return broker(id).topics().partition(T, 0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    private static RequestContext ctx(ApiKeys api, int version) {
        return new RequestContext(api, (short) version, 1, "test", "127.0.0.1:5000", 1);
    }

    private static BufferRecords batch(String value) {
        return BufferRecords.of(new RecordBatchBuilder(CompressionType.NONE)
                .append(1L, "k".getBytes(), value.getBytes())
                .build());
    }

    private CompletableFuture<ApiMessage> produce(int to, short acks, int timeoutMs, String value) {
        ProduceRequestData r = new ProduceRequestData().setAcks(acks).setTimeoutMs(timeoutMs);
        r.topicData()
                .add(new ProduceRequestData.TopicProduceData()
                        .setName(T)
                        .setPartitionData(new ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(batch(value))))));
        return broker(to).handle(ctx(ApiKeys.PRODUCE, 9), r);
    }

    private static ProduceResponseData.PartitionProduceResponse answer(CompletableFuture<ApiMessage> f)
            throws Exception {
        return ((ProduceResponseData) f.get(20, TimeUnit.SECONDS))
                .responses()
                .get(0)
                .partitionResponses()
                .get(0);
    }

    private FetchResponseData.PartitionData consumerFetch(int from, long offset, int currentEpoch) throws Exception {
        FetchRequestData r =
                new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20);
        r.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic(T)
                        .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(offset)
                                .setCurrentLeaderEpoch(currentEpoch)
                                .setPartitionMaxBytes(1 << 20)))));
        FetchResponseData resp = (FetchResponseData)
                broker(from).handle(ctx(ApiKeys.FETCH, 12), r).get(10, TimeUnit.SECONDS);
        return resp.responses().get(0).partitions().get(0);
    }

    /**
     * The ISR once the controller and the leader agree on it; empty while the leader has yet to apply the
     * controller's change, since the leader's own view decides what acks=-1 and min.insync.replicas do.
     */
    private List<Integer> isr() {
        PartitionRegistration committed = controller.image().partition(T, 0);
        Partition leader = partition(committed.leader());
        return committed.isr().equals(leader.role().isr()) ? committed.isr() : List.of();
    }

    @Test
    void followersCatchUpAndTheHighWatermarkFollowsTheIsr() throws Exception {
        start(3, 30_000);
        controller.createTopic(T, 1, 3, null, Map.of());
        for (int i = 0; i < 5; i++)
            assertEquals(0, answer(produce(0, (short) 1, 5000, "v" + i)).errorCode());
        await(
                "followers have all",
                () -> partition(1).log().logEndOffset() == 5
                        && partition(2).log().logEndOffset() == 5);
        await("the high watermark covers all", () -> partition(0).highWatermark() == 5);
        await("followers learn the high watermark", () -> partition(1).highWatermark() == 5);
        assertEquals(
                List.of(new LeaderEpochCache.EpochEntry(0, 0)),
                partition(2).log().leaderEpochCache().entries());
        // a cut follower keeps the high watermark where it has data; consumers see no further
        links.cut(2);
        assertEquals(0, answer(produce(0, (short) 1, 5000, "v5")).errorCode());
        await("follower 1 has it", () -> partition(1).log().logEndOffset() == 6);
        assertEquals(5, partition(0).highWatermark());
        FetchResponseData.PartitionData read = consumerFetch(0, 5, 0);
        assertEquals(0, read.errorCode());
        assertEquals(5, read.highWatermark());
        assertEquals(0, read.records().sizeInBytes(), "nothing above the high watermark");
        links.restore(2);
        await("high watermark after restore", () -> partition(0).highWatermark() == 6);
        assertTrue(consumerFetch(0, 5, 0).records().sizeInBytes() > 0);
    }

    /**
     * A leader that registers again at another address (a cluster restarted on a new port) keeps its
     * leaderships and epochs, so nothing tells its followers to start over: the fetcher must move to the new
     * address on its own, with every partition it copies from that leader.
     */
    @Test
    void aFollowerMovesToItsLeadersNewAddressWithEveryPartitionItCopies() throws Exception {
        start(2, 30_000);
        controller.createTopic(T, 2, 2, Map.of(0, List.of(0, 1), 1, List.of(0, 1)), Map.of());
        await("broker 1 follows both partitions from broker 0", () -> {
            ReplicaFetcher f = broker(1).replicaManager().fetcher(0);
            return f != null && f.fetches() > 0;
        });
        BrokerEndpoint moved = new BrokerEndpoint(0, "127.0.0.1", 19_092, null);
        controller.register(moved);
        assertEquals(0, controller.image().partition(T, 0).leaderEpoch(), "no new epoch");
        ReplicaFetcher fetcher = broker(1).replicaManager().fetcher(0);
        assertEquals(moved, fetcher.endpoint());
        long before = fetcher.fetches();
        for (int p = 0; p < 2; p++) {
            ProduceRequestData r = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
            r.topicData()
                    .add(new ProduceRequestData.TopicProduceData()
                            .setName(T)
                            .setPartitionData(new ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData()
                                    .setIndex(p)
                                    .setRecords(batch("after the move"))))));
            assertEquals(0, answer(broker(0).handle(ctx(ApiKeys.PRODUCE, 9), r)).errorCode(), "partition " + p);
        }
        assertTrue(fetcher.fetches() > before, "the same fetcher went on copying");
        assertEquals(1, broker(1).topics().partition(T, 1).log().logEndOffset());
    }

    @Test
    void acksAllWaitsForEveryInSyncReplicaAndTimesOut() throws Exception {
        start(3, 30_000);
        controller.createTopic(T, 1, 3, null, Map.of());
        links.cut(2);
        CompletableFuture<ApiMessage> waiting = produce(0, (short) -1, 30_000, "a");
        await("follower 1 has it", () -> partition(1).log().logEndOffset() == 1);
        assertFalse(waiting.isDone(), "broker 2 is in the ISR and has not got it");
        links.restore(2);
        assertEquals(0, answer(waiting).errorCode());
        assertEquals(1, partition(0).highWatermark());
        links.cut(2);
        ProduceResponseData.PartitionProduceResponse late = answer(produce(0, (short) -1, 100, "b"));
        assertEquals(Errors.REQUEST_TIMED_OUT.code(), late.errorCode());
        // acks=1 does not wait
        assertEquals(0, answer(produce(0, (short) 1, 100, "c")).errorCode());
    }

    @Test
    void isrShrinksAfterTheLagAndGrowsBackAfterCatchingUp() throws Exception {
        start(3, SHORT_LAG_MS);
        controller.createTopic(T, 1, 3, null, Map.of());
        assertEquals(0, answer(produce(0, (short) -1, 10_000, "a")).errorCode());
        links.cut(2);
        CompletableFuture<ApiMessage> waiting = produce(0, (short) -1, 30_000, "b");
        await("broker 2 leaves the ISR", () -> isr().equals(List.of(0, 1)));
        assertEquals(0, answer(waiting).errorCode(), "acks=-1 answered once the ISR has it");
        assertEquals(List.of(0, 1), partition(0).role().isr());
        links.restore(2);
        await("broker 2 rejoins the ISR", () -> isr().size() == 3);
        assertEquals(2, partition(2).log().logEndOffset());
    }

    @Test
    void minInsyncReplicasRefusesBeforeAndAfterTheAppend() throws Exception {
        start(3, SHORT_LAG_MS);
        controller.createTopic(T, 1, 3, null, Map.of("min.insync.replicas", "2"));
        assertEquals(0, answer(produce(0, (short) -1, 10_000, "a")).errorCode());
        links.cut(2);
        await("broker 2 leaves the ISR", () -> isr().equals(List.of(0, 1)));
        links.cut(1);
        CompletableFuture<ApiMessage> afterAppend = produce(0, (short) -1, 30_000, "b");
        await("broker 1 leaves the ISR", () -> isr().equals(List.of(0)));
        assertEquals(
                Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code(),
                answer(afterAppend).errorCode());
        assertEquals(
                Errors.NOT_ENOUGH_REPLICAS.code(),
                answer(produce(0, (short) -1, 10_000, "c")).errorCode());
        assertEquals(0, answer(produce(0, (short) 1, 10_000, "d")).errorCode(), "acks=1 is not held back");
        links.restore(1);
        await("broker 1 rejoins", () -> isr().size() == 2);
        assertEquals(0, answer(produce(0, (short) -1, 10_000, "e")).errorCode());
    }

    @Test
    void aNewLeaderMakesTheOldOneTruncateItsDivergentTail() throws Exception {
        start(2, 30_000);
        controller.createTopic(T, 1, 2, Map.of(0, List.of(0, 1)), Map.of());
        for (int i = 0; i < 3; i++)
            assertEquals(0, answer(produce(0, (short) -1, 10_000, "v" + i)).errorCode());
        links.cut(1);
        assertEquals(0, answer(produce(0, (short) 1, 10_000, "lost-1")).errorCode());
        assertEquals(0, answer(produce(0, (short) 1, 10_000, "lost-2")).errorCode());
        assertEquals(5, partition(0).log().logEndOffset());
        assertEquals(3, partition(1).log().logEndOffset());
        controller.moveLeader(TP, 1);
        await("broker 1 leads", () -> partition(1).isLeader() && !partition(0).isLeader());
        assertEquals(0, answer(produce(1, (short) 1, 10_000, "new")).errorCode());
        await(
                "broker 0 truncated and caught up",
                () -> partition(0).log().logEndOffset() == 4
                        && partition(0).log().leaderEpochCache().latestEpoch() == 1);
        assertEquals(
                List.of(new LeaderEpochCache.EpochEntry(0, 0), new LeaderEpochCache.EpochEntry(1, 3)),
                partition(0).log().leaderEpochCache().entries());
        assertEquals(
                partition(1).log().read(3, 1 << 20, true).readFully(),
                partition(0).log().read(3, 1 << 20, true).readFully(),
                "the follower holds the leader's batch where its own tail was");
        // the old leader refuses clients now
        assertEquals(
                Errors.NOT_LEADER_OR_FOLLOWER.code(),
                answer(produce(0, (short) 1, 10_000, "x")).errorCode());
    }

    @Test
    void epochsAreCheckedOnFetchAndOffsetForLeaderEpoch() throws Exception {
        start(2, 30_000);
        controller.createTopic(T, 1, 2, Map.of(0, List.of(0, 1)), Map.of());
        assertEquals(0, answer(produce(0, (short) -1, 10_000, "a")).errorCode());
        controller.moveLeader(TP, 1);
        controller.moveLeader(TP, 0); // epoch 2
        await(
                "broker 0 leads at epoch 2",
                () -> partition(0).isLeader() && partition(0).leaderEpoch() == 2);
        assertEquals(Errors.FENCED_LEADER_EPOCH.code(), consumerFetch(0, 0, 1).errorCode());
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), consumerFetch(0, 0, 3).errorCode());
        assertEquals(
                Errors.NOT_LEADER_OR_FOLLOWER.code(), consumerFetch(1, 0, -1).errorCode());
        assertEquals(0, consumerFetch(0, 0, 2).errorCode());

        OffsetForLeaderEpochRequestData q = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        q.topics()
                .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                        .setTopic(T)
                        .setPartitions(new ArrayList<>(List.of(
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(2)
                                        .setLeaderEpoch(0),
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(1)
                                        .setLeaderEpoch(0)))));
        var resp = (OffsetForLeaderEpochResponseData)
                broker(0).handle(ctx(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 4), q).get(5, TimeUnit.SECONDS);
        var parts = resp.topics().get(0).partitions();
        assertEquals(0, parts.get(0).errorCode());
        assertEquals(0, parts.get(0).leaderEpoch());
        assertEquals(1, parts.get(0).endOffset(), "epoch 0 ends where epoch 1 began");
        assertEquals(Errors.FENCED_LEADER_EPOCH.code(), parts.get(1).errorCode());
    }

    @Test
    void replicaFetchesMustComeFromTheBrokerTheyClaim() throws Exception {
        start(2, 30_000);
        controller.createTopic(T, 1, 2, Map.of(0, List.of(0, 1)), Map.of());
        for (int replicaId : new int[] {1, 7, 0}) {
            FetchRequestData r = new FetchRequestData()
                    .setReplicaId(replicaId)
                    .setMaxWaitMs(0)
                    .setMaxBytes(1000);
            r.topics()
                    .add(new FetchRequestData.FetchTopic()
                            .setTopic(T)
                            .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition()
                                    .setPartition(0)
                                    .setFetchOffset(0)
                                    .setPartitionMaxBytes(1000)))));
            RequestContext fromElsewhere = new RequestContext(ApiKeys.FETCH, (short) 12, 1, "x", "10.9.9.9:4000", 9);
            ApiException e = assertThrows(ApiException.class, () -> broker(0).handle(fromElsewhere, r));
            assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED, e.error());
        }
        // the cluster still replicates
        assertEquals(0, answer(produce(0, (short) -1, 10_000, "a")).errorCode());
    }

    private CompletableFuture<ApiMessage> deleteRecords(int to, long before, int timeoutMs) {
        DeleteRecordsRequestData r = new DeleteRecordsRequestData().setTimeoutMs(timeoutMs);
        r.topics()
                .add(new DeleteRecordsRequestData.DeleteRecordsTopic()
                        .setName(T)
                        .setPartitions(new ArrayList<>(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition()
                                .setPartitionIndex(0)
                                .setOffset(before)))));
        return broker(to).handle(ctx(ApiKeys.DELETE_RECORDS, 2), r);
    }

    private static DeleteRecordsResponseData.DeleteRecordsPartitionResult deleted(CompletableFuture<ApiMessage> f)
            throws Exception {
        return ((DeleteRecordsResponseData) f.get(20, TimeUnit.SECONDS))
                .topics()
                .iterator()
                .next()
                .partitions()
                .iterator()
                .next();
    }

    /**
     * As Kafka's: DeleteRecords answers once every replica on a live broker starts at the offset (the low
     * watermark), so no leader elected afterwards serves what was deleted; REQUEST_TIMED_OUT if one does not
     * get there in time. A fenced broker's replica is not waited for.
     */
    @Test
    void deleteRecordsAnswersOnceEveryLiveReplicaStartsThere() throws Exception {
        start(3, 30_000);
        controller.createTopic(T, 1, 3, null, Map.of());
        for (int i = 0; i < 5; i++)
            assertEquals(0, answer(produce(0, (short) -1, 10_000, "v" + i)).errorCode());
        assertEquals(
                Errors.NOT_LEADER_OR_FOLLOWER.code(),
                deleted(deleteRecords(1, 3, 30_000)).errorCode(),
                "a follower deletes nothing of its own");
        assertEquals(0, partition(1).logStartOffset());
        links.cut(2);
        CompletableFuture<ApiMessage> deleting = deleteRecords(0, 3, 30_000);
        await("broker 1 starts at 3", () -> partition(1).logStartOffset() == 3);
        assertFalse(deleting.isDone(), "broker 2, live and in the ISR, still starts at 0");
        assertEquals(
                Errors.REQUEST_TIMED_OUT.code(),
                deleted(deleteRecords(0, 4, 200)).errorCode(),
                "past its timeout");
        links.restore(2);
        DeleteRecordsResponseData.DeleteRecordsPartitionResult done = deleted(deleting);
        assertEquals(0, done.errorCode());
        assertTrue(done.lowWatermark() >= 3, "low watermark " + done.lowWatermark());
        assertTrue(
                partition(2).logStartOffset() >= 3,
                "broker 2 starts at " + partition(2).logStartOffset());

        // a fenced broker is not waited for
        links.cut(2);
        controller.fence(2);
        DeleteRecordsResponseData.DeleteRecordsPartitionResult without2 = deleted(deleteRecords(0, 5, 30_000));
        assertEquals(0, without2.errorCode());
        assertEquals(5, without2.lowWatermark());
        assertTrue(partition(2).logStartOffset() < 5);
    }

    @Test
    void aFollowerBehindTheLeadersLogStartStartsOverThere() throws Exception {
        start(2, SHORT_LAG_MS);
        controller.createTopic(T, 1, 2, Map.of(0, List.of(0, 1)), Map.of());
        for (int i = 0; i < 3; i++)
            assertEquals(0, answer(produce(0, (short) -1, 10_000, "v" + i)).errorCode());
        links.cut(1);
        await("broker 1 leaves the ISR", () -> isr().equals(List.of(0)));
        for (int i = 0; i < 3; i++)
            assertEquals(0, answer(produce(0, (short) -1, 10_000, "w" + i)).errorCode());
        assertEquals(5, broker(0).partitions().deleteRecords(partition(0), 5));
        links.restore(1);
        await(
                "broker 1 starts over at the leader's log start and catches up",
                () -> partition(1).logStartOffset() == 5 && partition(1).log().logEndOffset() == 6);
        await("broker 1 rejoins the ISR", () -> isr().size() == 2);
    }
}
