package dev.skiff.it.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import dev.skiff.it.kafka08.Kafka08;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import kafka.javaapi.consumer.SimpleConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad bytes on the wire, sent through a plain socket: the broker closes the offending connection or answers with an
 * error, never crashes, hangs or appends garbage, and after each case a second connection still gets answers.
 * Written for Skiff (socket.request.max.bytes set small here); all but the ApiVersions case also hold for the real
 * Kafka 0.8.1.1 broker, which predates ApiVersions.
 */
class MalformedWireInputTest {
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final short UNSUPPORTED_VERSION = 35;
    private static final short CORRUPT_MESSAGE = 2;
    private static final short NONE = 0;

    @RegisterExtension
    static final BrokerFixture broker =
            new BrokerFixture().property("socket.request.max.bytes", Integer.toString(MAX_REQUEST_BYTES));

    private static int correlation = 1000;

    private RawConnection connect() throws IOException {
        return new RawConnection(broker.host(), broker.port());
    }

    /** After every case the broker still serves a new connection: a Metadata v0 answer naming itself. */
    @AfterEach
    void aSecondConnectionStillGetsAnswers() throws IOException {
        try (RawConnection second = connect()) {
            int id = ++correlation;
            RawConnection.Answer answer = second.send(Wire.metadataV0(id)).readAnswer();
            assertEquals(id, answer.correlationId(), "correlation id of the Metadata answer");
            List<Wire.Broker> brokers = Wire.metadataV0Brokers(answer.body());
            assertEquals(1, brokers.size(), "brokers in the Metadata answer: " + brokers);
            assertEquals(broker.port(), brokers.get(0).port(), "port of the broker in the Metadata answer");
        }
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws IOException {
        try (RawConnection bad = connect()) {
            bad.send(Wire.writer().int32(-1).raw(new byte[16]).toByteArray());
            assertTrue(bad.isClosedByBroker(), "connection closed after a frame size of -1");
        }
    }

    @Test
    void frameSizeAboveSocketRequestMaxBytesClosesTheConnection() throws IOException {
        int limit = broker.intProperty("socket.request.max.bytes");
        try (RawConnection bad = connect()) {
            // only the size and a few bytes: the broker must refuse on the size, not wait to read the frame
            bad.send(Wire.writer().int32(limit + 1).raw(new byte[16]).toByteArray());
            assertTrue(
                    bad.isClosedByBroker(),
                    "connection closed after a frame size of " + (limit + 1) + " > socket.request.max.bytes " + limit);
        }
    }

    @Test
    void truncatedRequestThenEndOfStreamIsDropped() throws IOException {
        try (RawConnection bad = connect()) {
            byte[] start = Wire.metadataV0(++correlation);
            byte[] tenOfHundred = Wire.writer()
                    .int32(100)
                    .raw(Arrays.copyOfRange(start, 4, 14))
                    .toByteArray();
            bad.send(tenOfHundred);
            bad.shutdownOutput();
            assertTrue(bad.isClosedByBroker(), "connection closed after 10 of 100 announced bytes and end of stream");
        }
    }

    @Test
    void unknownApiKeyClosesOrAnswersAnError() throws IOException {
        try (RawConnection bad = connect()) {
            int id = ++correlation;
            bad.send(Wire.request((short) 9999, (short) 0, id, "wire-test", new byte[] {0, 0, 0, 0}));
            RawConnection.Answer answer = bad.readAnswerOrClosed();
            if (answer != null) {
                assertEquals(id, answer.correlationId(), "correlation id of the answer to an unknown API key");
                assertTrue(answer.body().remaining() >= 2, "an error answer has at least an error code");
                assertFalse(answer.body().getShort(0) == NONE, "the answer to an unknown API key is an error");
            }
        }
    }

    @Test
    void unsupportedApiVersionsVersionAnswersV0WithUnsupportedVersion() throws IOException {
        broker.requireEmbedded("Kafka 0.8 has no ApiVersions");
        try (RawConnection client = connect()) {
            int id = ++correlation;
            RawConnection.Answer answer =
                    client.send(Wire.apiVersions((short) 999, id)).readAnswer();
            assertEquals(id, answer.correlationId(), "correlation id of the ApiVersions answer");
            ByteBuffer body = answer.body();
            // ApiVersions v0 response: error_code int16, api_keys [api_key int16, min_version int16, max_version int16]
            assertEquals(UNSUPPORTED_VERSION, body.getShort(), "error code: UNSUPPORTED_VERSION");
            int keys = body.getInt();
            assertTrue(
                    keys >= 0 && body.remaining() == keys * 6,
                    "the rest is a v0 api_keys array of " + keys + " entries, nothing more (" + body.remaining()
                            + " bytes)");
            boolean listsApiVersions = false;
            for (int i = 0; i < keys; i++) {
                short key = body.getShort();
                short min = body.getShort();
                short max = body.getShort();
                assertTrue(min <= max, "version range of key " + key);
                listsApiVersions |= key == Wire.API_VERSIONS;
            }
            assertTrue(keys == 0 || listsApiVersions, "the api_keys array, if any, lists ApiVersions itself");
            // and the connection goes on: a supported version answers on it
            int next = ++correlation;
            RawConnection.Answer v0 =
                    client.send(Wire.apiVersions((short) 0, next)).readAnswer();
            assertEquals(next, v0.correlationId(), "correlation id of ApiVersions v0");
            assertEquals(NONE, v0.body().getShort(), "error code of ApiVersions v0");
        }
    }

    @Test
    void produceWithWrongCrcIsRejectedAndNothingAppended() throws IOException {
        String topic = BrokerFixture.uniqueTopic("wire-crc");
        Kafka08.createTopic(
                broker, topic, 3); // 3 like an auto-created topic of the reference broker; partition 0 is used
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        try (RawConnection client = connect()) {
            int good = ++correlation;
            byte[] valid = Wire.messageV0(0, key, "good".getBytes(StandardCharsets.UTF_8), false);
            RawConnection.Answer accepted = client.send(Wire.produceV0(good, (short) 1, 10_000, topic, 0, valid))
                    .readAnswer();
            assertEquals(good, accepted.correlationId(), "correlation id of the valid Produce");
            Wire.ProducePartition ok = Wire.produceV0Answer(accepted.body());
            assertEquals(NONE, ok.errorCode(), "error code of a valid message");
            assertEquals(0, ok.baseOffset(), "offset of the first message");
            assertEquals(1, latest(topic), "latest offset after the valid message");

            int bad = ++correlation;
            byte[] corrupt = Wire.messageV0(0, key, "corrupt".getBytes(StandardCharsets.UTF_8), true);
            RawConnection.Answer rejected = client.send(Wire.produceV0(bad, (short) 1, 10_000, topic, 0, corrupt))
                    .readAnswer();
            assertEquals(bad, rejected.correlationId(), "correlation id of the corrupt Produce");
            Wire.ProducePartition refused = Wire.produceV0Answer(rejected.body());
            assertEquals(topic, refused.topic());
            assertEquals(0, refused.partition());
            assertEquals(
                    CORRUPT_MESSAGE, refused.errorCode(), "error code of a message with a wrong CRC: CORRUPT_MESSAGE");
        }
        assertEquals(1, latest(topic), "latest offset unchanged by the corrupt message");
    }

    private static long latest(String topic) {
        SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, 0, "wire-test-offsets");
        try {
            return Kafka08.latest(consumer, topic, 0);
        } finally {
            consumer.close();
        }
    }
}
