package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.api.FetchApi;
import dev.skiff.broker.fetch.FetchSessionCache;
import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch sessions attacked over a real socket: one connection opening thousands of sessions (the cache keeps
 * Kafka's 1000 slots and its byte cap), a session far bigger than the cap, a huge forgotten-topics list,
 * epochs at and past the int range, an incremental fetch growing its session past the cap. Each gets a
 * defined answer; then another client is served and the broker restarts with nothing lost.
 */
class FetchSessionsHostileTest {

    private static final String TOPIC = "hostile-sessions";
    private static final long CAP = 1024 * 1024;

    @TempDir
    Path dir;

    private EmbeddedSkiff broker;

    @AfterEach
    void stop() {
        if (broker != null) broker.close();
    }

    private FetchSessionCache cache() {
        return ((FetchApi) InsideBroker.of(broker).handlers().get(ApiKeys.FETCH)).sessions();
    }

    private static FetchRequestData fetch(int sessionId, int epoch, int firstPartition, int partitions) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC);
        for (int p = firstPartition; p < firstPartition + partitions; p++) {
            topic.partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(p)
                            .setFetchOffset(0)
                            .setPartitionMaxBytes(1024)
                            .setCurrentLeaderEpoch(-1)
                            .setLogStartOffset(-1));
        }
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setTopics(partitions == 0 ? new ArrayList<>() : new ArrayList<>(List.of(topic)));
    }

    private static FetchResponseData send(WireClient c, FetchRequestData r) {
        return (FetchResponseData) c.send(ApiKeys.FETCH, 12, r);
    }

    @Test
    void sessionsStayBoundedAndTheBrokerServesAndRestarts() {
        broker = EmbeddedSkiff.builder()
                .dataDir(dir)
                .property("skiff.fetch.session.cache.max.bytes", Long.toString(CAP))
                .start();
        broker.createTopic(TOPIC, 4);
        Survival survival = Survival.before(broker);
        try (WireClient c = new WireClient(broker.port())) {
            // thousands of sessions from one connection: the slots fill, the rest fetch without a session
            int opened = 0;
            int refused = 0;
            for (int i = 0; i < 3000; i++) {
                FetchResponseData r = send(c, fetch(0, 0, 0, 2));
                assertEquals(0, r.errorCode());
                assertEquals(2, r.responses().get(0).partitions().size(), "every fetch is answered in full");
                if (r.sessionId() != 0) opened++;
                else refused++;
            }
            assertEquals(1000, opened, "Kafka's 1000 slots");
            assertEquals(2000, refused);
            assertEquals(1000, cache().size());
            assertTrue(cache().estimatedBytes() <= CAP, "cache bytes " + cache().estimatedBytes());
        }
        broker.restart();
        try (WireClient c = new WireClient(broker.port())) {
            // a session far beyond the byte cap: answered, never cached
            FetchResponseData huge = send(c, fetch(0, 0, 0, 6_000));
            assertEquals(0, huge.errorCode());
            assertEquals(0, huge.sessionId(), "no session bigger than the cache's cap");
            assertEquals(6_000, huge.responses().get(0).partitions().size());
            assertEquals(0, cache().size());

            FetchResponseData first = send(c, fetch(0, 0, 0, 4));
            int id = first.sessionId();
            assertNotEquals(0, id);

            // a forgotten-topics list of 200,000 partitions the session never had: answered, session kept
            List<Integer> many = new ArrayList<>();
            for (int p = 0; p < 200_000; p++) many.add(p + 10);
            FetchRequestData forget = fetch(id, 1, 0, 0);
            forget.forgottenTopicsData()
                    .add(new FetchRequestData.ForgottenTopic().setTopic(TOPIC).setPartitions(many));
            FetchResponseData forgot = send(c, forget);
            assertEquals(0, forgot.errorCode());
            assertEquals(id, forgot.sessionId(), "forgetting partitions it never had leaves the session");
            assertEquals(2, cache().epochOf(id));

            // epochs at the edges of the int range, ids that cannot exist
            for (int epoch : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -2, 3}) {
                assertEquals(
                        Errors.INVALID_FETCH_SESSION_EPOCH.code(),
                        send(c, fetch(id, epoch, 0, 0)).errorCode(),
                        "epoch " + epoch);
            }
            for (int bad : new int[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}) {
                assertEquals(
                        Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                        send(c, fetch(bad, 1, 0, 0)).errorCode(),
                        "session " + bad);
            }
            assertEquals(2, cache().epochOf(id), "errors leave the session as it was");

            // growing the session past the cap closes it; the fetch is answered in full without a session
            FetchResponseData grown = send(c, fetch(id, 2, 4, 6_000));
            assertEquals(0, grown.errorCode());
            assertEquals(0, grown.sessionId());
            assertEquals(
                    6_004,
                    grown.responses().stream()
                            .mapToInt(t -> t.partitions().size())
                            .sum());
            assertEquals(-1, cache().epochOf(id));
            assertEquals(0, cache().estimatedBytes());
        }
        try (WireClient c = new WireClient(broker.port())) {
            // a million forgotten partitions: more heap than the decoder allows for the frame, which closes
            // the connection as malformed before the fetch sessions see anything
            FetchRequestData forget = fetch(0, 1, 0, 0);
            List<Integer> many = new ArrayList<>();
            for (int p = 0; p < 200_000; p++) many.add(p);
            for (int t = 0; t < 5; t++)
                forget.forgottenTopicsData()
                        .add(new FetchRequestData.ForgottenTopic()
                                .setTopic("t" + t)
                                .setPartitions(many));
            assertThrows(UncheckedIOException.class, () -> send(c, forget));
        }
        survival.assertServedAndRestartsIntact();
    }
}
