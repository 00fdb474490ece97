package dev.skiff.it.hostile;

import static dev.skiff.it.telemetry.TelemetryPayloads.gauge;
import static dev.skiff.it.telemetry.TelemetryPayloads.gzip;
import static dev.skiff.it.telemetry.TelemetryPayloads.pushRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsRequestData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.message.PushTelemetryResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Client metrics (KIP-714) pushed by a hostile client over a real socket: unknown and zero instance ids, unknown
 * subscription ids, unknown codecs, payloads over telemetry.max.bytes compressed and once inflated (a gzip bomb),
 * bytes that are no protobuf (lengths past the end, endless varints, groups), pushes after a terminating one, a
 * truncated frame, and 2,000 client instances against a store of 50. Each is refused with Kafka's error, the store
 * stays bounded, and the broker serves on and restarts intact.
 */
class TelemetryHostileTest {

    private static final int MAX_BYTES = 4096;

    @Test
    void hostilePushesAreRefusedAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("skiff.telemetry.metrics", "*")
                .property("skiff.telemetry.push.interval.ms", "60000")
                .property("telemetry.max.bytes", String.valueOf(MAX_BYTES))
                .property("skiff.telemetry.max.clients", "50")
                .start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                // a good push is kept
                GetTelemetrySubscriptionsResponseData s = subscribe(wire, Uuid.ZERO_UUID);
                assertEquals(Errors.NONE.code(), s.errorCode());
                assertEquals(MAX_BYTES, s.telemetryMaxBytes());
                assertEquals(java.util.List.of("*"), s.requestedMetrics());
                assertEquals(Errors.NONE, push(wire, s, 0, gauge("good.metric", 42.0)));
                assertEquals(
                        42.0,
                        broker.clientTelemetry().stream()
                                .filter(t -> t.clientInstanceId()
                                        .equals(s.clientInstanceId().toString()))
                                .findFirst()
                                .orElseThrow()
                                .value("good.metric"));

                // asking again before the push interval is throttled
                assertEquals(
                        Errors.THROTTLING_QUOTA_EXCEEDED.code(),
                        subscribe(wire, s.clientInstanceId()).errorCode());
                // and so is pushing again
                assertEquals(Errors.THROTTLING_QUOTA_EXCEEDED, push(wire, s, 0, gauge("good.metric", 1.0)));

                // zero instance id
                assertEquals(
                        Errors.INVALID_REQUEST,
                        send(wire, new PushTelemetryRequestData().setClientInstanceId(Uuid.ZERO_UUID)));
                // an instance never subscribed, and a wrong subscription id
                assertEquals(
                        Errors.UNKNOWN_SUBSCRIPTION_ID,
                        send(
                                wire,
                                new PushTelemetryRequestData()
                                        .setClientInstanceId(Uuid.randomUuid())
                                        .setSubscriptionId(12345)
                                        .setMetrics(ByteBuffer.allocate(0))));
                GetTelemetrySubscriptionsResponseData wrong = subscribe(wire, Uuid.ZERO_UUID);
                assertEquals(
                        Errors.UNKNOWN_SUBSCRIPTION_ID,
                        send(
                                wire,
                                new PushTelemetryRequestData()
                                        .setClientInstanceId(wrong.clientInstanceId())
                                        .setSubscriptionId(wrong.subscriptionId() + 1)
                                        .setMetrics(ByteBuffer.wrap(gauge("x", 1)))));
                // after an unknown subscription the client may ask again at once
                assertEquals(
                        Errors.NONE.code(),
                        subscribe(wire, wrong.clientInstanceId()).errorCode());

                // unknown codecs
                for (byte codec : new byte[] {5, 127, -1})
                    assertEquals(
                            Errors.UNSUPPORTED_COMPRESSION_TYPE,
                            push(wire, subscribe(wire, Uuid.ZERO_UUID), codec, gauge("x", 1)));
                // too large as sent, and once inflated
                assertEquals(
                        Errors.TELEMETRY_TOO_LARGE,
                        push(wire, subscribe(wire, Uuid.ZERO_UUID), 0, new byte[MAX_BYTES + 1]));
                assertEquals(
                        Errors.TELEMETRY_TOO_LARGE,
                        push(wire, subscribe(wire, Uuid.ZERO_UUID), 1, gzip(new byte[50 * 1024 * 1024])));
                // not protobuf, or not gzip
                byte[][] garbage = {
                    {0x0a, 0x7f, 0x01}, // a message longer than what is left
                    {
                        0x08,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff,
                        (byte) 0xff
                    }, // a varint past 10 bytes
                    {0x0b, 0x0c}, // groups (wire types 3 and 4)
                    {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, // a 4 GiB length
                    {0x00}, // field 0
                };
                for (byte[] g : garbage)
                    assertEquals(
                            Errors.INVALID_RECORD,
                            push(wire, subscribe(wire, Uuid.ZERO_UUID), 0, g),
                            Arrays.toString(g));
                assertEquals(
                        Errors.INVALID_RECORD,
                        push(wire, subscribe(wire, Uuid.ZERO_UUID), 1, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
                assertEquals(
                        Errors.INVALID_RECORD,
                        push(wire, subscribe(wire, Uuid.ZERO_UUID), 4, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));

                // nothing is accepted after a terminating push
                GetTelemetrySubscriptionsResponseData closing = subscribe(wire, Uuid.ZERO_UUID);
                assertEquals(
                        Errors.NONE,
                        send(wire, pushRequest(closing, 0, gauge("bye", 1)).setTerminating(true)));
                assertEquals(Errors.INVALID_REQUEST, send(wire, pushRequest(closing, 0, gauge("again", 1))));

                // many client instances: the store keeps the most recent 50
                for (int i = 0; i < 2000; i++) {
                    GetTelemetrySubscriptionsResponseData each = subscribe(wire, Uuid.ZERO_UUID);
                    if (i % 10 == 0) assertEquals(Errors.NONE, push(wire, each, 0, gauge("many", i)));
                }
                assertTrue(
                        broker.clientTelemetry().size() <= 50,
                        "stored: " + broker.clientTelemetry().size());
            }

            // a truncated PushTelemetry frame
            byte[] frame = RequestFrames.frame(
                    dev.skiff.protocol.ApiKeys.PUSH_TELEMETRY,
                    (short) 0,
                    1,
                    new dev.skiff.protocol.message.PushTelemetryRequestData()
                            .setClientInstanceId(dev.skiff.protocol.types.Uuid.random())
                            .setMetrics(new byte[200]));
            byte[] cut = Arrays.copyOf(frame, frame.length - 100);
            ByteBuffer.wrap(cut).putInt(0, cut.length - 4);
            try (Socket socket = new Socket(broker.host(), broker.port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(cut);
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                // an error answer or a closed connection; either way the broker goes on
                try {
                    int size = in.readInt();
                    assertNotEquals(0, size);
                } catch (java.io.EOFException | java.net.SocketException closed) {
                    // closed
                }
            }
            java.util.Set<String> before = new java.util.HashSet<>();
            broker.clientTelemetry().forEach(t -> before.add(t.clientInstanceId()));
            assertTrue(!before.isEmpty());
            survival.assertServedAndRestartsIntact();
            // a restart forgets the pushes, not the broker's data (the survival check's own clients may push anew)
            broker.clientTelemetry()
                    .forEach(t -> assertTrue(
                            !before.contains(t.clientInstanceId()),
                            "kept across the restart: " + t.clientInstanceId()));
        }
    }

    private static GetTelemetrySubscriptionsResponseData subscribe(KafkaWire wire, Uuid id) throws Exception {
        return wire.send(new GetTelemetrySubscriptionsRequestData().setClientInstanceId(id), 0);
    }

    private static Errors push(KafkaWire wire, GetTelemetrySubscriptionsResponseData s, int codec, byte[] metrics)
            throws Exception {
        return send(wire, pushRequest(s, codec, metrics));
    }

    private static Errors send(KafkaWire wire, PushTelemetryRequestData request) throws Exception {
        PushTelemetryResponseData r = wire.send(request, 0);
        return Errors.forCode(r.errorCode());
    }
}
