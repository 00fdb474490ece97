package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.server.control.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * librdkafka (confluent-kafka-python) consuming 60 partitions from a broker that keeps fetch sessions: every
 * record is read, no fetch is answered with a session error, and whatever session librdkafka opens it keeps
 * using incrementally. librdkafka 2.0.2 (Debian 12) opens none: it fetches with session id 0 and epoch -1,
 * answered in full without a session.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LibrdkafkaFetchSessionsTest {

    @RegisterExtension
    static final ClientBroker clients = new ClientBroker("librdkafka fetch sessions");

    /** One fetch: what librdkafka asked, and the answer's error and session id. */
    record Seen(int sessionId, int epoch, short error, int answeredSession) {}

    @Test
    void consumesWithSessions() {
        ClientScripts.assumePythonModule("confluent_kafka");
        String topic = BrokerFixture.uniqueTopic("rd-sessions");
        clients.broker().createTopic(topic, 60);
        List<Seen> seen = new CopyOnWriteArrayList<>();
        clients.broker().control(ApiKeys.FETCH, (ctx, message) -> {
            FetchRequestData r = (FetchRequestData) message;
            return Reply.keep().thenEdit(answer -> {
                FetchResponseData a = (FetchResponseData) answer;
                seen.add(new Seen(r.sessionId(), r.sessionEpoch(), a.errorCode(), a.sessionId()));
                return answer;
            });
        });
        String bootstrap = clients.broker().bootstrapServers();
        ClientScripts.python(Map.of(), "rdkafka_client.py", bootstrap, "produce", topic, "none", "300", "false", "0")
                .ok();
        ClientScripts.Result read = ClientScripts.python(
                        Map.of(), "rdkafka_client.py", bootstrap, "consume", topic, "g-" + topic, "300")
                .ok();
        Records.assertReadBack(read.lines("RECORD"), 0, 300);
        assertTrue(!seen.isEmpty(), "librdkafka fetched");
        for (Seen s : seen) assertEquals(0, s.error(), "no fetch answered with an error: " + s);
        long incremental = seen.stream().filter(s -> s.epoch() > 0).count();
        for (Seen s : seen) {
            if (s.epoch() > 0)
                assertEquals(s.sessionId(), s.answeredSession(), "an incremental fetch keeps its session");
        }
        System.out.printf(
                "librdkafka: %d fetches, %d incremental, %d opening a session%n",
                seen.size(),
                incremental,
                seen.stream().filter(s -> s.epoch() == 0).count());
    }
}
