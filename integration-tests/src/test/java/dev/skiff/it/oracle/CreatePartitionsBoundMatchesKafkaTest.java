package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CreatePartitions asking for a huge number of new partitions, against Apache Kafka 4.1.1: one topic to
 * Integer.MAX_VALUE, several topics whose additions sum past 10,000 or past the int range, mixed with topics
 * that do not exist. Compared by name, error and message; validate_only where a growth would be accepted, so
 * that neither broker makes thousands of partitions.
 */
class CreatePartitionsBoundMatchesKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    @BeforeAll
    static void topics() throws Exception {
        for (String name : List.of("grow-a", "grow-b", "grow-c")) brokers.createTopic(name, 1);
    }

    private static List<String> ask(
            OracleAndSkiff.Target t, int version, boolean validateOnly, List<Map.Entry<String, Integer>> topics)
            throws Exception {
        CreatePartitionsRequestData req =
                new CreatePartitionsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
        for (Map.Entry<String, Integer> e : topics)
            req.topics()
                    .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                            .setName(e.getKey())
                            .setCount(e.getValue())
                            .setAssignments(null));
        try (KafkaWire w = t.connect()) {
            CreatePartitionsResponseData r = w.send(req, version);
            List<String> out = new ArrayList<>();
            for (CreatePartitionsResponseData.CreatePartitionsTopicResult x : r.results())
                out.add(x.name() + " " + Errors.forCode(x.errorCode()) + " " + x.errorMessage());
            out.sort(null);
            return out;
        }
    }

    @Test
    void hugeGrowthsGetKafkasAnswers() throws Exception {
        List<List<Map.Entry<String, Integer>>> cases = List.of(
                List.of(Map.entry("grow-a", Integer.MAX_VALUE)),
                List.of(Map.entry("grow-a", 10_002)),
                List.of(Map.entry("grow-a", 10_001)),
                List.of(Map.entry("grow-a", 5_001), Map.entry("grow-b", 5_001)),
                List.of(Map.entry("grow-a", 5_001), Map.entry("grow-b", 5_002)),
                List.of(Map.entry("grow-a", 5_002), Map.entry("grow-b", 5_001), Map.entry("grow-c", 2)),
                List.of(Map.entry("grow-a", Integer.MAX_VALUE), Map.entry("grow-b", Integer.MAX_VALUE)),
                List.of(
                        Map.entry("grow-a", 3),
                        Map.entry("no-such-topic", Integer.MAX_VALUE),
                        Map.entry("grow-b", Integer.MAX_VALUE),
                        Map.entry("grow-c", 2)));
        for (int version : new int[] {0, 3}) {
            for (List<Map.Entry<String, Integer>> topics : cases) {
                int v = version;
                brokers.same("validate-only CreatePartitions v" + v + " of " + topics, t -> ask(t, v, true, topics));
            }
        }
        // real requests last: Kafka keeps the partitions of a topic it failed at the bound, Skiff none
        List<List<Map.Entry<String, Integer>>> real = List.of(
                List.of(Map.entry("grow-a", Integer.MAX_VALUE)),
                List.of(Map.entry("grow-a", Integer.MAX_VALUE), Map.entry("grow-c", 2)),
                List.of(Map.entry("grow-a", 5_001), Map.entry("grow-b", 5_002)));
        for (List<Map.Entry<String, Integer>> topics : real)
            brokers.same("CreatePartitions v3 of " + topics, t -> ask(t, 3, false, topics));
    }

    @Test
    void aTopicNamedTwiceGetsKafkasAnswer() throws Exception {
        List<Map.Entry<String, Integer>> topics =
                List.of(Map.entry("grow-c", 2), Map.entry("grow-c", 3), Map.entry("grow-b", 2));
        for (int version : new int[] {0, 3}) {
            int v = version;
            brokers.same("validate-only CreatePartitions v" + v + " of " + topics, t -> ask(t, v, true, topics));
        }
    }
}
