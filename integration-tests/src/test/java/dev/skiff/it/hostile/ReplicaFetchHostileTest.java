package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.it.cluster.SocketCluster;
import dev.skiff.it.wire.WireClient;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica fetches over a real socket: followers copy the leader over Kafka's wire, and fetches that claim
 * another broker's id, a broker that does not exist, huge or negative epochs and offsets get errors, never
 * a follower's share, and forged log starts do not hold DeleteRecords back for good. Afterwards a client is
 * served, followers still replicate, and a restarted follower keeps every acknowledged record (the cluster's
 * equivalent of Survival).
 */
class ReplicaFetchHostileTest {
    private static final String T = "replicated";

    @TempDir
    Path dir;

    private SocketCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting until " + what);
            Thread.sleep(5);
        }
    }

    private int port(int id) {
        return cluster.server(id).port();
    }

    private short produce(int to, String value) {
        ProduceRequestData r = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(15_000);
        r.topicData()
                .add(new ProduceRequestData.TopicProduceData()
                        .setName(T)
                        .setPartitionData(new ArrayList<>(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(BufferRecords.of(new RecordBatchBuilder(CompressionType.NONE)
                                        .append(1L, "k".getBytes(), value.getBytes())
                                        .build()))))));
        ProduceResponseData resp = (ProduceResponseData) WireClient.call(port(to), ApiKeys.PRODUCE, 9, r);
        return resp.responses().get(0).partitionResponses().get(0).errorCode();
    }

    private static FetchRequestData replicaFetch(int replicaId, int epoch, long offset) {
        FetchRequestData r = new FetchRequestData()
                .setReplicaId(replicaId)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20);
        r.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic(T)
                        .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setCurrentLeaderEpoch(epoch)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20)))));
        return r;
    }

    private FetchResponseData fetch(int replicaId, int epoch, long offset) {
        return (FetchResponseData) WireClient.call(port(0), ApiKeys.FETCH, 12, replicaFetch(replicaId, epoch, offset));
    }

    @Test
    void followersReplicateOverTheWireAndHostileReplicaFetchesAreRefused() throws Exception {
        cluster = new SocketCluster(dir, 3, Map.of());
        // a broker registered at another host: a fetch claiming it from here is an impersonation
        cluster.controller.register(new BrokerEndpoint(5, "127.0.0.5", 9999, null));
        cluster.controller.createTopic(T, 1, 3, Map.of(0, List.of(0, 1, 2)), Map.of());
        await("broker 0 leads", () -> cluster.partition(0, T, 0).isLeader());
        for (int i = 0; i < 5; i++) assertEquals(0, produce(0, "v" + i), "acks=-1 answered once all have it");
        assertEquals(5, cluster.partition(1, T, 0).log().logEndOffset());
        assertEquals(5, cluster.partition(2, T, 0).log().logEndOffset());

        // impersonation and bogus ids: refused as a whole request
        for (int claimed : new int[] {5, 99, Integer.MAX_VALUE, 0}) {
            FetchResponseData r = fetch(claimed, 0, 0);
            assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), r.errorCode(), "replica id " + claimed);
        }
        // a real replica id from its host, with hostile epochs and offsets: per partition errors
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), partitionError(fetch(1, Integer.MAX_VALUE, 0)));
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), partitionError(fetch(1, 0, -5)));
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), partitionError(fetch(1, 0, Long.MAX_VALUE)));
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), partitionError(fetch(1, -1, 1L << 40)));
        // a replica fetch for a follower's partition at the follower itself
        FetchResponseData atFollower =
                (FetchResponseData) WireClient.call(port(2), ApiKeys.FETCH, 12, replicaFetch(1, 0, 0));
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), partitionError(atFollower));
        // the same through replica_state (v15)
        FetchRequestData v15 = replicaFetch(-1, 0, 0);
        v15.replicaState().setReplicaId(5).setReplicaEpoch(Long.MAX_VALUE);
        FetchResponseData r15 = (FetchResponseData) WireClient.call(port(0), ApiKeys.FETCH, 15, v15);
        assertEquals(Errors.CLUSTER_AUTHORIZATION_FAILED.code(), r15.errorCode());

        // OffsetForLeaderEpoch with epochs out of any range
        OffsetForLeaderEpochRequestData q = new OffsetForLeaderEpochRequestData().setReplicaId(1);
        q.topics()
                .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                        .setTopic(T)
                        .setPartitions(new ArrayList<>(List.of(
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(0)
                                        .setLeaderEpoch(Integer.MAX_VALUE),
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(Integer.MIN_VALUE)
                                        .setLeaderEpoch(Integer.MIN_VALUE),
                                new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                        .setPartition(0)
                                        .setCurrentLeaderEpoch(Integer.MAX_VALUE)
                                        .setLeaderEpoch(0)))));
        ApiMessage answer = WireClient.call(port(0), ApiKeys.OFFSET_FOR_LEADER_EPOCH, 4, q);
        var parts = ((OffsetForLeaderEpochResponseData) answer).topics().get(0).partitions();
        assertEquals(0, parts.get(0).errorCode());
        assertEquals(-1, parts.get(0).endOffset(), "an epoch newer than any is undefined");
        assertEquals(-1, parts.get(1).endOffset());
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), parts.get(2).errorCode());

        // a real replica reporting log starts it does not have: its next honest fetch puts them right, and
        // DeleteRecords (which waits for every live replica's log start) still answers
        for (long forged : new long[] {Long.MIN_VALUE, -7, Long.MAX_VALUE}) {
            FetchRequestData lying = replicaFetch(1, 0, 5);
            lying.topics().get(0).partitions().get(0).setLogStartOffset(forged);
            assertEquals(0, partitionError((FetchResponseData) WireClient.call(port(0), ApiKeys.FETCH, 12, lying)));
        }
        DeleteRecordsRequestData delete = new DeleteRecordsRequestData().setTimeoutMs(15_000);
        delete.topics()
                .add(new DeleteRecordsRequestData.DeleteRecordsTopic()
                        .setName(T)
                        .setPartitions(new ArrayList<>(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition()
                                .setPartitionIndex(0)
                                .setOffset(2)))));
        var deleted = ((DeleteRecordsResponseData) WireClient.call(port(0), ApiKeys.DELETE_RECORDS, 2, delete))
                .topics()
                .iterator()
                .next()
                .partitions()
                .iterator()
                .next();
        assertEquals(0, deleted.errorCode());
        assertEquals(2, deleted.lowWatermark());
        await(
                "both followers start at 2",
                () -> cluster.partition(1, T, 0).logStartOffset() == 2
                        && cluster.partition(2, T, 0).logStartOffset() == 2);

        // survival: clients served, followers still in sync, a restarted follower keeps everything
        assertEquals(0, produce(0, "after"));
        assertEquals(
                List.of(0, 1, 2), cluster.controller.image().partition(T, 0).isr());
        cluster.stop(2);
        assertEquals(0, produce(0, "while-2-is-down"), "broker 2 left the ISR when fenced");
        cluster.start(2);
        await(
                "restarted follower caught up",
                () -> cluster.partition(2, T, 0).log().logEndOffset() == 7);
        assertEquals(
                cluster.partition(0, T, 0).log().read(2, 1 << 20, true).readFully(),
                cluster.partition(2, T, 0).log().read(2, 1 << 20, true).readFully(),
                "the restarted follower holds exactly the leader's log");
    }

    private static short partitionError(FetchResponseData r) {
        assertEquals(0, r.errorCode());
        return r.responses().get(0).partitions().get(0).errorCode();
    }
}
