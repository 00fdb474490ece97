package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CreateTopics asking for more than 10,000 partitions in all, against Apache Kafka 4.1.1: its controller refuses
 * the whole request with POLICY_VIOLATION for every topic it was given, before checking their names; duplicates
 * are answered by the broker (INVALID_REQUEST) and count for nothing. Compared by name, error and, for
 * POLICY_VIOLATION, message; validate_only where a creation would be accepted, so that neither broker makes
 * ten thousand partitions.
 */
class CreateTopicsBoundMatchesKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static List<String> ask(
            OracleAndSkiff.Target t, int version, boolean validateOnly, List<Map.Entry<String, Integer>> topics)
            throws Exception {
        CreateTopicsRequestData req =
                new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
        for (Map.Entry<String, Integer> e : topics)
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName(e.getKey())
                            .setNumPartitions(e.getValue())
                            .setReplicationFactor((short) 1));
        try (KafkaWire w = t.connect()) {
            CreateTopicsResponseData r = w.send(req, version);
            List<String> out = new ArrayList<>();
            for (CreateTopicsResponseData.CreatableTopicResult x : r.topics()) {
                Errors e = Errors.forCode(x.errorCode());
                out.add(x.name() + " " + e + (e == Errors.POLICY_VIOLATION ? " " + x.errorMessage() : ""));
            }
            out.sort(null);
            return out;
        }
    }

    @Test
    void requestsOverTenThousandPartitionsAreRefusedWhole() throws Exception {
        List<List<Map.Entry<String, Integer>>> refused = List.of(
                List.of(Map.entry("bound-a", 5_000), Map.entry("bound-b", 5_001)),
                List.of(
                        Map.entry("bound-d", 1),
                        Map.entry("bound-d", 1),
                        Map.entry("bound-e", 9_999),
                        Map.entry("bad/name", 2)),
                List.of(Map.entry("bound-f", Integer.MAX_VALUE)));
        for (int version : new int[] {4, 7}) {
            for (List<Map.Entry<String, Integer>> topics : refused) {
                int v = version;
                brokers.same("CreateTopics v" + v + " of " + topics, t -> ask(t, v, false, topics));
                brokers.same("validate-only CreateTopics v" + v + " of " + topics, t -> ask(t, v, true, topics));
            }
            int v = version;
            List<Map.Entry<String, Integer>> atTheBound =
                    List.of(Map.entry("bound-g", 9_999), Map.entry("bad/name", 1));
            brokers.same("validate-only CreateTopics v" + v + " at the bound", t -> ask(t, v, true, atTheBound));
        }
    }
}
