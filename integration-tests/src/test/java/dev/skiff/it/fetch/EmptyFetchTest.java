package dev.skiff.it.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.server.EmbeddedSkiff;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fetch naming no partition, sessionless or closing a session (what kafka-clients sends to every broker it holds
 * a session with when a consumer closes, and waits for), is answered at once as by Kafka, not after max_wait_ms:
 * held, every consumer close would take fetch.max.wait.ms longer. The wait asked for here is an hour, so an answer
 * within the test's bound shows it was not held.
 */
class EmptyFetchTest {

    private static FetchRequestData empty(int sessionId, int epoch) {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(3_600_000)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(sessionId)
                .setSessionEpoch(epoch);
    }

    @Test
    void aFetchOfNothingIsAnsweredWithoutWaiting() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().inMemory().start();
                WireClient c = new WireClient(broker.port())) {
            broker.createTopic("quiet", 1);
            FetchRequestData open = empty(0, 0).setMaxWaitMs(0);
            open.topics()
                    .add(new FetchRequestData.FetchTopic()
                            .setTopic("quiet")
                            .setPartitions(
                                    new java.util.ArrayList<>(java.util.List.of(new FetchRequestData.FetchPartition()
                                            .setPartition(0)
                                            .setFetchOffset(0)
                                            .setPartitionMaxBytes(1 << 16)
                                            .setCurrentLeaderEpoch(-1)
                                            .setLogStartOffset(-1)))));
            int id = ((FetchResponseData) c.send(ApiKeys.FETCH, 12, open)).sessionId();
            // sessionless, a full fetch of nothing, and the close of the session just opened
            for (int[] session : new int[][] {{0, -1}, {0, 0}, {id, -1}}) {
                FetchResponseData r = CompletableFuture.supplyAsync(
                                () -> (FetchResponseData) c.send(ApiKeys.FETCH, 12, empty(session[0], session[1])))
                        .get(30, TimeUnit.SECONDS);
                assertEquals(0, r.errorCode());
                assertEquals(0, r.responses().size());
            }
        }
    }
}
