package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Produce, Fetch, ListOffsets and Metadata asked about a topic that does not exist, a partition that does not
 * exist and an offset out of range: Skiff must answer with Apache Kafka's error codes (and offsets).
 * Auto-creation is off on both.
 */
class ErrorAnswersMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static final String KNOWN = "known";
    private static final String MISSING = "no-such-topic";

    @BeforeAll
    static void topics() throws Exception {
        brokers.createTopic(KNOWN, 1);
    }

    /** Error code of one partition of a Produce answer. */
    private static String produce(OracleAndSkiff.Target t, String topic, int partition, int version) throws Exception {
        try (KafkaWire wire = t.connect()) {
            ProduceResponseData r = wire.send(Requests.produce(topic, partition, "x"), version);
            ProduceResponseData.PartitionProduceResponse p =
                    r.responses().iterator().next().partitionResponses().get(0);
            return Errors.forCode(p.errorCode()).name();
        }
    }

    @ParameterizedTest(name = "Produce v{0}")
    @ValueSource(ints = {3, 7, 9, 12})
    void produceToMissingTopicAndPartition(int version) throws Exception {
        brokers.same("Produce v" + version + " to a missing topic", t -> produce(t, MISSING, 0, version));
        brokers.same("Produce v" + version + " to a missing partition", t -> produce(t, KNOWN, 7, version));
    }

    /** Error code, high watermark and log start offset of one partition of a Fetch answer. */
    private static List<Object> fetch(OracleAndSkiff.Target t, String topic, int partition, long offset, int version)
            throws Exception {
        try (KafkaWire wire = t.connect()) {
            FetchResponseData r = wire.send(Requests.fetch(topic, partition, offset), version);
            assertEquals(0, r.errorCode(), "top-level error of Fetch v" + version + " from " + t.name());
            FetchResponseData.PartitionData p =
                    r.responses().get(0).partitions().get(0);
            return List.of(
                    Errors.forCode(p.errorCode()).name(), p.highWatermark(), version >= 5 ? p.logStartOffset() : "n/a");
        }
    }

    @ParameterizedTest(name = "Fetch v{0}")
    @ValueSource(ints = {4, 11, 12})
    void fetchMissingTopicAndPartition(int version) throws Exception {
        brokers.same("Fetch v" + version + " of a missing topic", t -> fetch(t, MISSING, 0, 0, version));
        brokers.same("Fetch v" + version + " of a missing partition", t -> fetch(t, KNOWN, 5, 0, version));
    }

    /** Kafka answers an out-of-range fetch with high watermark and log start offset -1, not the log's. */
    @ParameterizedTest(name = "Fetch v{0}")
    @ValueSource(ints = {4, 11, 12})
    void fetchOutOfRange(int version) throws Exception {
        brokers.same("Fetch v" + version + " beyond the log end", t -> fetch(t, KNOWN, 0, 1000, version));
        brokers.same("Fetch v" + version + " below zero", t -> fetch(t, KNOWN, 0, -5, version));
    }

    private static List<Object> listOffsets(
            OracleAndSkiff.Target t, String topic, int partition, long timestamp, int version) throws Exception {
        try (KafkaWire wire = t.connect()) {
            ListOffsetsResponseData r = wire.send(Requests.listOffsets(topic, partition, timestamp), version);
            ListOffsetsResponseData.ListOffsetsPartitionResponse p =
                    r.topics().get(0).partitions().get(0);
            return List.of(Errors.forCode(p.errorCode()).name(), p.offset(), p.timestamp());
        }
    }

    @ParameterizedTest(name = "ListOffsets v{0}")
    @ValueSource(ints = {1, 5, 7})
    void listOffsetsOfMissingTopicAndPartition(int version) throws Exception {
        brokers.same("ListOffsets v" + version + " of a missing topic", t -> listOffsets(t, MISSING, 0, -1, version));
        brokers.same("ListOffsets v" + version + " of a missing partition", t -> listOffsets(t, KNOWN, 3, -1, version));
        brokers.same(
                "ListOffsets v" + version + " latest of an empty partition",
                t -> listOffsets(t, KNOWN, 0, -1, version));
        brokers.same(
                "ListOffsets v" + version + " earliest of an empty partition",
                t -> listOffsets(t, KNOWN, 0, -2, version));
    }

    private static List<Object> metadata(OracleAndSkiff.Target t, boolean allowAutoCreation, int version)
            throws Exception {
        try (KafkaWire wire = t.connect()) {
            // before v4 the field does not exist: those versions always allow auto-creation (the broker decides)
            MetadataResponseData r = wire.send(Requests.metadata(MISSING, allowAutoCreation || version < 4), version);
            MetadataResponseData.MetadataResponseTopic topic =
                    r.topics().iterator().next();
            return List.of(
                    topic.name(),
                    Errors.forCode(topic.errorCode()).name(),
                    topic.partitions().size(),
                    topic.isInternal());
        }
    }

    @ParameterizedTest(name = "Metadata v{0}")
    @ValueSource(ints = {1, 4, 9, 12})
    void metadataOfMissingTopicWithAutoCreationOff(int version) throws Exception {
        brokers.same("Metadata v" + version + " of a missing topic", t -> metadata(t, false, version));
        if (version >= 4) {
            brokers.same(
                    "Metadata v" + version + " of a missing topic, client allows auto-creation",
                    t -> metadata(t, true, version));
        }
    }
}
