package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.it.wire.Wire;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * Writes a client must not make, sent as raw requests: records into the broker's own internal topics (which
 * it replays at start), admin changes of those topics, transaction markers forged by a client, timestamps
 * outside the allowed range. Each is refused with Kafka's error code, and the broker then serves a normal
 * client and restarts with every acknowledged record and committed offset.
 */
class DataPathHostileTest {

    private static final String OFFSETS = "__consumer_offsets";
    private static final String TRANSACTIONS = "__transaction_state";

    @Test
    void produceIntoInternalTopicsIsAnInvalidTopic() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                createTransactionLog(wire);
                for (String internal : List.of(OFFSETS, TRANSACTIONS)) {
                    long endBefore = logEnd(broker, internal);
                    for (int version : new int[] {3, 9, 12}) {
                        ProduceResponseData.PartitionProduceResponse r = produce(
                                wire,
                                version,
                                internal,
                                MemoryRecords.withRecords(Compression.NONE, garbage(System.currentTimeMillis())));
                        assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), r.errorCode(), internal + " v" + version);
                    }
                    // Produce v0, a message set of magic 0 as a Kafka 0.8 client sends it
                    Wire.ProducePartition old = produceV0(
                            broker,
                            internal,
                            Wire.messageV0(
                                    0,
                                    "k".getBytes(StandardCharsets.UTF_8),
                                    "garbage".getBytes(StandardCharsets.UTF_8),
                                    false));
                    assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), old.errorCode(), internal + " v0");
                    assertEquals(endBefore, logEnd(broker, internal), "nothing was written to " + internal);
                }
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void adminChangesOfInternalTopicsAreRefused() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                createTransactionLog(wire);
                for (String internal : List.of(OFFSETS, TRANSACTIONS)) {
                    int partitions = InsideBroker.of(broker)
                            .topics()
                            .get(internal)
                            .partitions()
                            .size();
                    long startBefore = InsideBroker.of(broker)
                            .topics()
                            .get(internal)
                            .partition(0)
                            .logStartOffset();

                    DeleteTopicsResponseData deleted = wire.send(
                            new DeleteTopicsRequestData()
                                    .setTimeoutMs(10_000)
                                    .setTopics(
                                            List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(internal))),
                            6);
                    assertEquals(
                            Errors.INVALID_REQUEST.code(),
                            deleted.responses().iterator().next().errorCode());
                    DeleteTopicsResponseData deletedV1 = wire.send(
                            new DeleteTopicsRequestData().setTimeoutMs(10_000).setTopicNames(List.of(internal)), 1);
                    assertEquals(
                            Errors.INVALID_REQUEST.code(),
                            deletedV1.responses().iterator().next().errorCode());

                    DeleteRecordsResponseData trimmed = wire.send(
                            new DeleteRecordsRequestData()
                                    .setTimeoutMs(10_000)
                                    .setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic()
                                            .setName(internal)
                                            .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition()
                                                    .setPartitionIndex(0)
                                                    .setOffset(-1))))),
                            2);
                    assertEquals(
                            Errors.INVALID_TOPIC_EXCEPTION.code(),
                            trimmed.topics()
                                    .iterator()
                                    .next()
                                    .partitions()
                                    .iterator()
                                    .next()
                                    .errorCode());

                    CreatePartitionsRequestData.CreatePartitionsTopicCollection grow =
                            new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
                    grow.add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                            .setName(internal)
                            .setCount(partitions + 3)
                            .setAssignments(null));
                    CreatePartitionsResponseData grown = wire.send(
                            new CreatePartitionsRequestData().setTopics(grow).setTimeoutMs(10_000), 3);
                    assertEquals(
                            Errors.INVALID_REQUEST.code(),
                            grown.results().get(0).errorCode());

                    assertNotNull(InsideBroker.of(broker).topics().get(internal), internal + " still exists");
                    assertEquals(
                            partitions,
                            InsideBroker.of(broker)
                                    .topics()
                                    .get(internal)
                                    .partitions()
                                    .size());
                    assertEquals(
                            startBefore,
                            InsideBroker.of(broker)
                                    .topics()
                                    .get(internal)
                                    .partition(0)
                                    .logStartOffset());
                }
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void aTransactionMarkerFromAClientIsAnInvalidRecord() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                long endBefore = logEnd(broker, survival.topic());
                for (ControlRecordType type :
                        new ControlRecordType[] {ControlRecordType.ABORT, ControlRecordType.COMMIT}) {
                    MemoryRecords marker = MemoryRecords.withEndTransactionMarker(
                            System.currentTimeMillis(), 4242L, (short) 0, new EndTransactionMarker(type, 0));
                    ProduceResponseData.PartitionProduceResponse r = produce(wire, 9, survival.topic(), marker);
                    assertEquals(Errors.INVALID_RECORD.code(), r.errorCode(), type.name());
                }
                assertEquals(endBefore, logEnd(broker, survival.topic()));
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void timestampsOutOfRangeAreInvalidTimestamps() throws IOException {
        // the broker-wide key sets the default of every topic; the after-bound keeps Kafka's default (one hour)
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("log.message.timestamp.before.max.ms", "3600000")
                .start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                String topic = survival.topic();
                long endBefore = logEnd(broker, topic);
                long now = System.currentTimeMillis();
                for (long ts : new long[] {now + 2 * 3_600_000L, now - 2 * 3_600_000L, Long.MAX_VALUE, 0L}) {
                    ProduceResponseData.PartitionProduceResponse r =
                            produce(wire, 9, topic, MemoryRecords.withRecords(Compression.NONE, garbage(ts)));
                    assertEquals(Errors.INVALID_TIMESTAMP.code(), r.errorCode(), "timestamp " + ts);
                }
                assertEquals(endBefore, logEnd(broker, topic));

                DescribeConfigsResponseData described = wire.send(
                        new DescribeConfigsRequestData()
                                .setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
                                        .setResourceType((byte) 2)
                                        .setResourceName(topic)
                                        .setConfigurationKeys(null))),
                        4);
                Map<String, String> configs = new java.util.HashMap<>();
                described.results().get(0).configs().forEach(c -> configs.put(c.name(), c.value()));
                assertEquals("3600000", configs.get("message.timestamp.before.max.ms"));
                assertEquals("3600000", configs.get("message.timestamp.after.max.ms"));
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static SimpleRecord garbage(long timestamp) {
        return new SimpleRecord(
                timestamp, "k".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8));
    }

    /** __transaction_state exists once a transactional producer has been initialised. */
    private static void createTransactionLog(KafkaWire wire) throws IOException {
        InitProducerIdResponseData r = wire.send(
                new InitProducerIdRequestData()
                        .setTransactionalId("hostile-txn")
                        .setTransactionTimeoutMs(60_000),
                4);
        assertEquals(Errors.NONE.code(), r.errorCode());
    }

    private static long logEnd(EmbeddedSkiff broker, String topic) {
        return InsideBroker.of(broker).topics().get(topic).partitions().stream()
                .mapToLong(p -> p.highWatermark())
                .sum();
    }

    private static ProduceResponseData.PartitionProduceResponse produce(
            KafkaWire wire, int version, String topic, MemoryRecords records) throws IOException {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(records))));
        ProduceResponseData r = wire.send(
                new ProduceRequestData()
                        .setAcks((short) -1)
                        .setTimeoutMs(10_000)
                        .setTransactionalId(null)
                        .setTopicData(topics),
                version);
        return r.responses().iterator().next().partitionResponses().get(0);
    }

    private static Wire.ProducePartition produceV0(EmbeddedSkiff broker, String topic, byte[] messageSet)
            throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(Wire.produceV0(7, (short) 1, 10_000, topic, 0, messageSet));
            s.getOutputStream().flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            ByteBuffer body = ByteBuffer.wrap(frame);
            assertEquals(7, body.getInt(), "correlation id");
            return Wire.produceV0Answer(body);
        }
    }
}
