package dev.skiff.protocol;

import static dev.skiff.protocol.KafkaOracle.assertSameFields;
import static dev.skiff.protocol.KafkaOracle.kafkaBytes;
import static dev.skiff.protocol.KafkaOracle.kafkaRead;
import static dev.skiff.protocol.KafkaOracle.ourBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiMessageType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every API and every version that both Skiff and kafka-clients 4.1 know, requests and responses, in both
 * directions: our fully filled message is read by Kafka, written again byte for byte and read back by us
 * with the same field values; Kafka's default message is read and rewritten by us byte for byte.
 */
class KafkaInteropTest {

    @TestFactory
    List<DynamicTest> everyApiAndVersion() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            ApiMessageType kafka = kafkaType(api);
            if (kafka == null) continue;
            short low = (short) Math.max(api.lowestVersion(), kafka.lowestSupportedVersion());
            short high = (short) Math.min(api.highestVersion(), kafka.highestSupportedVersion(true));
            for (short v = low; v <= high; v++) {
                short version = v;
                tests.add(DynamicTest.dynamicTest(
                        api + " request v" + v,
                        () -> check(
                                api + " request",
                                api::newRequest,
                                kafka::newRequest,
                                (b) -> api.parseRequest(Unpooled.wrappedBuffer(b), version),
                                version)));
                tests.add(DynamicTest.dynamicTest(
                        api + " response v" + v,
                        () -> check(
                                api + " response",
                                api::newResponse,
                                kafka::newResponse,
                                (b) -> api.parseResponse(Unpooled.wrappedBuffer(b), version),
                                version)));
            }
        }
        assertTrue(tests.size() > 500, "covers many APIs: " + tests.size());
        return tests;
    }

    @Test
    void headers() {
        for (short v = 1; v <= 2; v++) {
            short version = v;
            check(
                    "request header",
                    dev.skiff.protocol.message.RequestHeaderData::new,
                    org.apache.kafka.common.message.RequestHeaderData::new,
                    b -> new dev.skiff.protocol.message.RequestHeaderData(Unpooled.wrappedBuffer(b), version),
                    version);
        }
        for (short v = 0; v <= 1; v++) {
            short version = v;
            check(
                    "response header",
                    dev.skiff.protocol.message.ResponseHeaderData::new,
                    org.apache.kafka.common.message.ResponseHeaderData::new,
                    b -> new dev.skiff.protocol.message.ResponseHeaderData(Unpooled.wrappedBuffer(b), version),
                    version);
        }
    }

    @Test
    void apiKeysMatchKafka() {
        for (org.apache.kafka.common.protocol.ApiKeys k : org.apache.kafka.common.protocol.ApiKeys.values()) {
            if (k.oldestVersion() > k.latestVersion(true)) continue; // an API Kafka 4 removed, such as LeaderAndIsr
            ApiKeys ours = ApiKeys.forId(k.id);
            assertEquals(k.name(), ours.name());
            assertEquals(k.latestVersion(true), ours.highestVersion(), k.name());
            assertEquals(k.latestVersion(false), ours.highestStableVersion(), k.name());
            assertTrue(ours.lowestVersion() <= k.oldestVersion(), k.name());
            for (short v = k.oldestVersion(); v <= k.latestVersion(true); v++) {
                assertEquals(k.requestHeaderVersion(v), ours.requestHeaderVersion(v), k.name() + " v" + v);
                assertEquals(k.responseHeaderVersion(v), ours.responseHeaderVersion(v), k.name() + " v" + v);
            }
        }
    }

    interface Parse {
        dev.skiff.protocol.Message parse(byte[] bytes);
    }

    private static void check(
            String what,
            Supplier<? extends dev.skiff.protocol.Message> ours,
            Supplier<? extends org.apache.kafka.common.protocol.Message> kafka,
            Parse parse,
            short version) {
        // Ours, every field set, to Kafka and back.
        dev.skiff.protocol.Message filled = new MessageFiller(what.hashCode() * 31L + version).fill(ours.get());
        byte[] written = ourBytes(filled, version);
        org.apache.kafka.common.protocol.Message theirs = kafkaRead(kafka.get(), written, version);
        assertArrayEquals(written, kafkaBytes(theirs, version), what + " v" + version + ": Kafka rewrites our bytes");
        dev.skiff.protocol.Message back = parse.parse(written);
        assertSameFields(back, theirs, what + " v" + version);
        assertArrayEquals(written, ourBytes(back, version), what + " v" + version + ": we rewrite our bytes");

        // Kafka's defaults to us and back.
        byte[] defaults = kafkaBytes(kafka.get(), version);
        dev.skiff.protocol.Message parsed = parse.parse(defaults);
        assertArrayEquals(defaults, ourBytes(parsed, version), what + " v" + version + ": defaults");
        assertEquals(ours.get(), parsed, what + " v" + version + ": defaults equal new()");
    }

    private static ApiMessageType kafkaType(ApiKeys api) {
        for (ApiMessageType t : ApiMessageType.values()) {
            if (t.apiKey() == api.id()) return t;
        }
        return null;
    }
}
