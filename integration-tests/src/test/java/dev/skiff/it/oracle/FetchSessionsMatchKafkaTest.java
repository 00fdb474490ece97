package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fetch sessions (KIP-227) asked the same raw questions on one connection of each broker: a full fetch, then
 * incremental ones with and without changes, forgotten partitions, a wrong epoch, an unknown id, a session
 * of names asked by topic id, a close; Skiff must answer Apache Kafka's error codes and the same partitions,
 * in the same order. Session ids differ between brokers, so a transcript only says whether one was given.
 */
class FetchSessionsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static final String TOPIC = "sessions";

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic(TOPIC, 3);
        for (OracleAndSkiff.Target t : brokers.both()) {
            try (KafkaWire wire = t.connect()) {
                for (int i = 0; i < 3; i++) produce(wire, 0);
            }
        }
    }

    private static void produce(KafkaWire wire, int partition) throws Exception {
        ProduceResponseData r = wire.send(Requests.produce(TOPIC, partition, "x"), 9);
        short error =
                r.responses().iterator().next().partitionResponses().get(0).errorCode();
        if (error != 0) throw new AssertionError("produce failed: " + Errors.forCode(error));
    }

    /** One partition of a fetch, by name (before v13) or by topic id. */
    private record Part(String topic, Uuid topicId, int partition, long offset) {}

    private static FetchRequestData fetch(int sessionId, int epoch, List<Part> parts, List<Part> forgotten) {
        FetchRequestData r = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setIsolationLevel((byte) 0)
                .setSessionId(sessionId)
                .setSessionEpoch(epoch);
        for (Part p : parts) {
            FetchRequestData.FetchTopic ft =
                    r.topics().isEmpty() ? null : r.topics().get(r.topics().size() - 1);
            if (ft == null || !ft.topic().equals(p.topic()) || !ft.topicId().equals(p.topicId())) {
                ft = new FetchRequestData.FetchTopic().setTopic(p.topic()).setTopicId(p.topicId());
                r.topics().add(ft);
            }
            ft.partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(p.partition())
                            .setFetchOffset(p.offset())
                            .setPartitionMaxBytes(1 << 16)
                            .setCurrentLeaderEpoch(-1)
                            .setLogStartOffset(-1));
        }
        for (Part p : forgotten) {
            r.forgottenTopicsData()
                    .add(new FetchRequestData.ForgottenTopic()
                            .setTopic(p.topic())
                            .setTopicId(p.topicId())
                            .setPartitions(List.of(p.partition())));
        }
        return r;
    }

    /** Asks on one connection and keeps the session id the answers give. */
    private static final class Asker {
        final KafkaWire wire;
        final List<Object> transcript = new ArrayList<>();
        int sessionId;

        Asker(KafkaWire wire) {
            this.wire = wire;
        }

        /** Sends, records the answer (error, whether a session id came, each partition), returns it. */
        FetchResponseData ask(String step, int version, int sessionId, int epoch, List<Part> parts, List<Part> forgot)
                throws Exception {
            FetchResponseData r = wire.send(fetch(sessionId, epoch, parts, forgot), version);
            List<Object> line = new ArrayList<>();
            line.add(step);
            line.add(Errors.forCode(r.errorCode()).name());
            line.add(r.sessionId() == 0 ? "no session" : r.sessionId() == sessionId ? "same session" : "new session");
            for (FetchResponseData.FetchableTopicResponse t : r.responses()) {
                for (FetchResponseData.PartitionData p : t.partitions()) {
                    line.add(List.of(
                            version >= 13 ? "id" : t.topic(),
                            p.partitionIndex(),
                            Errors.forCode(p.errorCode()).name(),
                            p.highWatermark(),
                            p.records() != null && p.records().sizeInBytes() > 0));
                }
            }
            transcript.add(line);
            if (r.sessionId() != 0) this.sessionId = r.sessionId();
            return r;
        }
    }

    private static Part named(int partition, long offset) {
        return new Part(TOPIC, Uuid.ZERO_UUID, partition, offset);
    }

    /** The comparison is only worth something if sessions were really given and used. */
    private static void assertSessionsUsed(List<Object> transcript) {
        String full = transcript.get(0).toString();
        String next = transcript.get(1).toString();
        if (!full.contains("new session") || !next.contains("same session"))
            throw new AssertionError("no session was opened and continued: " + transcript);
    }

    @Test
    void sessionsByTopicNameAnswerAsKafka() throws Exception {
        List<Object> transcript = brokers.same("fetch sessions of Fetch v12", t -> {
            try (KafkaWire wire = t.connect()) {
                Asker a = new Asker(wire);
                List<Part> all = List.of(named(0, 0), named(1, 0), named(2, 0), named(9, 0));
                a.ask("full", 12, 0, 0, all, List.of());
                int id = a.sessionId;
                a.ask("nothing changed", 12, id, 1, List.of(), List.of());
                produce(wire, 1);
                a.ask("p0 moved on, p1 has a record", 12, id, 2, List.of(named(0, 3)), List.of());
                a.ask("p1 moved on", 12, id, 3, List.of(named(1, 1)), List.of());
                a.ask("forget p2 and the missing p9", 12, id, 4, List.of(), List.of(named(2, 0), named(9, 0)));
                a.ask("p2 again", 12, id, 5, List.of(named(2, 0)), List.of());
                a.ask("wrong epoch", 12, id, 99, List.of(), List.of());
                a.ask("epoch past the max", 12, id, Integer.MAX_VALUE, List.of(), List.of());
                a.ask("negative epoch", 12, id, -7, List.of(), List.of());
                a.ask("unknown id", 12, id + 1, 6, List.of(), List.of());
                a.ask("id 0, incremental", 12, 0, 6, List.of(), List.of());
                a.ask("asked by topic id", 13, id, 6, List.of(), List.of());
                a.ask("the session still works", 12, id, 6, List.of(), List.of());
                a.ask("close", 12, id, -1, List.of(named(0, 0)), List.of());
                a.ask("closed", 12, id, 7, List.of(), List.of());
                a.ask("full again", 12, 0, 0, List.of(named(0, 3)), List.of());
                int second = a.sessionId;
                a.ask("a full fetch naming it replaces it", 12, second, 0, List.of(named(1, 1)), List.of());
                a.ask("the replaced one is gone", 12, second, 1, List.of(), List.of());
                return a.transcript;
            }
        });
        assertSessionsUsed(transcript);
    }

    @Test
    void sessionsByTopicIdAnswerAsKafka() throws Exception {
        List<Object> transcript = brokers.same("fetch sessions of Fetch v13", t -> {
            try (KafkaWire wire = t.connect()) {
                MetadataResponseData md = wire.send(Requests.metadata(TOPIC, false), 12);
                Uuid id = md.topics().iterator().next().topicId();
                Uuid unknown = Uuid.randomUuid();
                Asker a = new Asker(wire);
                List<Part> parts = List.of(new Part("", id, 0, 0), new Part("", id, 1, 0), new Part("", unknown, 0, 0));
                a.ask("full", 13, 0, 0, parts, List.of());
                int session = a.sessionId;
                a.ask("nothing changed", 13, session, 1, List.of(), List.of());
                a.ask("forget the unknown id", 13, session, 2, List.of(), List.of(new Part("", unknown, 0, 0)));
                a.ask("p0 moved on", 13, session, 3, List.of(new Part("", id, 0, 3)), List.of());
                a.ask("asked by name", 12, session, 4, List.of(), List.of());
                a.ask("forget everything", 16, session, 4, List.of(), List.of(parts.get(0), parts.get(1)));
                a.ask("gone", 16, session, 5, List.of(), List.of());
                return a.transcript;
            }
        });
        assertSessionsUsed(transcript);
    }
}
