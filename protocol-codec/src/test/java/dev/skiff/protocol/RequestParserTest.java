package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.protocol.message.ApiVersionsRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

class RequestParserTest {

    private static byte[] request(ApiKeys api, short version, int correlationId, String clientId, ApiMessage body) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId(clientId)
                .write(w, api.requestHeaderVersion(version));
        body.write(w, version);
        return w.toByteArray();
    }

    private static ProduceRequestData produce() {
        return new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30000)
                .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                        .setName("topic")
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                .setIndex(0)
                                .setRecords(new BufferRecords(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})))))));
    }

    @Test
    void parsesHeaderAndBody() {
        for (short v : new short[] {0, 3, 9, 12}) {
            DecodedRequest r =
                    RequestParser.parse(Unpooled.wrappedBuffer(request(ApiKeys.PRODUCE, v, 77, "cli", produce())));
            assertEquals(ApiKeys.PRODUCE, r.api());
            assertEquals(v, r.version());
            assertEquals(77, r.correlationId());
            assertEquals("cli", r.clientId());
            assertEquals(produce(), r.body());
        }
    }

    @Test
    void controlledShutdownV0HasNoClientId() {
        byte[] wire =
                request(ApiKeys.CONTROLLED_SHUTDOWN, (short) 0, 5, null, ApiKeys.CONTROLLED_SHUTDOWN.newRequest());
        DecodedRequest r = RequestParser.parse(Unpooled.wrappedBuffer(wire));
        assertEquals("", r.clientId()); // absent in header v0: the schema default
        assertEquals(5, r.correlationId());
    }

    @Test
    void distinctFailures() {
        byte[] unknown = {0x7f, 0x00, 0, 1, 0, 0, 0, 9, 0, 0};
        UnknownApiKeyException u =
                assertThrows(UnknownApiKeyException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(unknown)));
        assertEquals(9, u.correlationId());

        byte[] tooNew = {0, 18, 0x7f, 0, 0, 0, 0, 42};
        UnsupportedApiVersionException v = assertThrows(
                UnsupportedApiVersionException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(tooNew)));
        assertEquals(42, v.correlationId());
        assertEquals(ApiKeys.API_VERSIONS, v.api());

        byte[] full = request(ApiKeys.PRODUCE, (short) 3, 8, "c", produce());
        MalformedRequestException m = assertThrows(
                MalformedRequestException.class,
                () -> RequestParser.parse(Unpooled.wrappedBuffer(Arrays.copyOf(full, full.length - 2))));
        assertEquals(8, m.correlationId());
    }

    @Test
    void truncationsAndGarbageOnlyRaiseProtocolException() {
        byte[] fetch = request(ApiKeys.FETCH, (short) 12, 1, "c", new MessageFiller(1).fill(new FetchRequestData()));
        for (int len = 0; len < fetch.length; len++) {
            byte[] cut = Arrays.copyOf(fetch, len);
            assertThrows(
                    ProtocolException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(cut)), "length " + len);
        }
        Random random = new Random(42);
        for (int i = 0; i < 20000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            if (garbage.length >= 4) {
                // A known API and version, so the body parsers see the garbage too.
                ApiKeys api = ApiKeys.values()[random.nextInt(ApiKeys.values().length)];
                garbage[0] = (byte) (api.id() >> 8);
                garbage[1] = (byte) api.id();
                garbage[2] = 0;
                garbage[3] =
                        (byte) (api.lowestVersion() + random.nextInt(api.highestVersion() - api.lowestVersion() + 1));
            }
            try {
                RequestParser.parse(Unpooled.wrappedBuffer(garbage));
            } catch (ProtocolException expected) {
                // fine: malformed
            } catch (RuntimeException | OutOfMemoryError e) {
                fail("garbage " + Arrays.toString(garbage) + " raised " + e, e);
            }
        }
    }

    @Test
    void hugeLengthsAreRejectedBeforeAllocating() {
        // Metadata v0: a topic array claiming 2^31-1 elements, with 4 bytes behind it.
        byte[] wire = {0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0};
        assertThrows(MalformedRequestException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(wire)));
        // A string claiming -2 bytes.
        byte[] negative = {0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xfe};
        assertThrows(MalformedRequestException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(negative)));
    }

    @Test
    void unknownTaggedFieldsAreSkipped() {
        org.apache.kafka.common.message.ApiVersionsRequestData kafka =
                new org.apache.kafka.common.message.ApiVersionsRequestData()
                        .setClientSoftwareName("librdkafka")
                        .setClientSoftwareVersion("2.0");
        kafka.unknownTaggedFields().add(new RawTaggedField(99, new byte[] {1, 2, 3, 4}));
        kafka.unknownTaggedFields().add(new RawTaggedField(1000, new byte[0]));
        byte[] bytes = KafkaOracle.kafkaBytes(kafka, (short) 3);
        ApiVersionsRequestData ours = new ApiVersionsRequestData(Unpooled.wrappedBuffer(bytes), (short) 3);
        assertEquals("librdkafka", ours.clientSoftwareName());
        assertEquals("2.0", ours.clientSoftwareVersion());
    }

    @Test
    void apiKeysBasics() {
        assertEquals(0, ApiKeys.PRODUCE.id());
        assertEquals(ApiKeys.FETCH, ApiKeys.forId(1));
        assertNull(ApiKeys.forId(-1));
        assertNull(ApiKeys.forId(10_000));
        assertEquals(0, ApiKeys.PRODUCE.lowestVersion());
        assertEquals(0, ApiKeys.API_VERSIONS.responseHeaderVersion((short) 3));
        assertEquals(0, ApiKeys.CONTROLLED_SHUTDOWN.requestHeaderVersion((short) 0));
        assertEquals(1, ApiKeys.CONTROLLED_SHUTDOWN.requestHeaderVersion((short) 1));
        assertEquals(2, ApiKeys.FETCH.requestHeaderVersion((short) 12));
        assertEquals(1, ApiKeys.FETCH.requestHeaderVersion((short) 11));
        assertEquals(
                dev.skiff.protocol.message.MetadataResponseData.class,
                ApiKeys.METADATA.newResponse().getClass());
    }

    @Test
    void errorsMatchKafka() {
        for (org.apache.kafka.common.protocol.Errors k : org.apache.kafka.common.protocol.Errors.values()) {
            assertEquals(k.name(), Errors.forCode(k.code()).name());
            assertEquals(k.code(), Errors.valueOf(k.name()).code());
        }
        assertEquals(Errors.UNKNOWN_SERVER_ERROR, Errors.forCode(30_000));
    }
}
