package dev.skiff.it.oracle;

import static dev.skiff.it.telemetry.TelemetryPayloads.gauge;
import static dev.skiff.it.telemetry.TelemetryPayloads.gzip;
import static dev.skiff.it.telemetry.TelemetryPayloads.pushRequest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsRequestData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.message.PushTelemetryResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Gauge;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Metric;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client telemetry (KIP-714) as Apache Kafka 4.1.1 answers it: Kafka with a telemetry receiver (a metrics reporter
 * implementing ClientTelemetry, {@link OracleTelemetryReporter}) and a {@code client-metrics} resource asking for
 * the same metrics at the same interval as Skiff's {@code skiff.telemetry.*} settings; both are sent the same raw
 * GetTelemetrySubscriptions and PushTelemetry requests, and must give the same subscription (metrics, interval,
 * size limit, temporality, codecs) and the same error codes: throttling, unknown instances and subscriptions,
 * codecs, sizes, payloads that are not metrics, and pushes after a terminating one.
 */
@Timeout(180)
class TelemetryMatchesKafkaTest {

    private static final int MAX_BYTES = 4096;
    private static final String METRICS = "org.apache.kafka.producer.";

    private record Side(String name, String host, int port) {
        KafkaWire connect() throws Exception {
            return new KafkaWire(host, port);
        }
    }

    @FunctionalInterface
    private interface Question {
        Object ask(Side side) throws Exception;
    }

    private static KafkaOracle kafka;
    private static EmbeddedSkiff skiff;
    private static Side kafkaSide;
    private static Side skiffSide;
    private final List<String> differences = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaOracle.startWithPlugins(
                Map.of(
                        "metric.reporters",
                        OracleTelemetryReporter.class.getName(),
                        "telemetry.max.bytes",
                        String.valueOf(MAX_BYTES)),
                OracleTelemetryReporter.class);
        skiff = EmbeddedSkiff.builder()
                .property("skiff.telemetry.metrics", METRICS)
                .property("skiff.telemetry.push.interval.ms", "60000")
                .property("telemetry.max.bytes", String.valueOf(MAX_BYTES))
                .start();
        kafkaSide = new Side("Apache Kafka", kafka.host(), kafka.port());
        skiffSide = new Side("Skiff", skiff.host(), skiff.port());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()))) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.CLIENT_METRICS, "oracle"),
                            List.of(
                                    new AlterConfigOp(new ConfigEntry("metrics", METRICS), AlterConfigOp.OpType.SET),
                                    new AlterConfigOp(
                                            new ConfigEntry("interval.ms", "60000"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        // Kafka applies the resource through its metadata log: wait until a new client is given it
        Poll.until(
                "the client-metrics subscription on Apache Kafka",
                () -> {
                    try (KafkaWire wire = kafkaSide.connect()) {
                        return subscribe(wire, Uuid.ZERO_UUID).requestedMetrics();
                    }
                },
                m -> m.equals(List.of(METRICS)));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
        if (skiff != null) skiff.close();
    }

    @AfterEach
    void noDifferences() {
        List<String> found = new ArrayList<>(differences);
        differences.clear();
        assertTrue(found.isEmpty(), "Skiff differs from Apache Kafka:\n  " + String.join("\n  ", found));
    }

    private void same(String what, Question q) throws Exception {
        Object expected = q.ask(kafkaSide);
        Object actual = q.ask(skiffSide);
        if (!Objects.equals(expected, actual))
            differences.add(what + ": Apache Kafka " + expected + ", Skiff " + actual);
    }

    // ---- the means

    private static GetTelemetrySubscriptionsResponseData subscribe(KafkaWire wire, Uuid id) throws Exception {
        return wire.send(new GetTelemetrySubscriptionsRequestData().setClientInstanceId(id), 0);
    }

    /** A subscription in words, without what differs by nature (ids, throttle time). */
    private static String described(GetTelemetrySubscriptionsResponseData s) {
        if (s.errorCode() != 0) return Errors.forCode(s.errorCode()).name();
        return "metrics " + s.requestedMetrics() + ", every " + s.pushIntervalMs() + " ms, at most "
                + s.telemetryMaxBytes() + " bytes, delta " + s.deltaTemporality() + ", codecs "
                + s.acceptedCompressionTypes();
    }

    private static String send(KafkaWire wire, PushTelemetryRequestData request) throws Exception {
        PushTelemetryResponseData r = wire.send(request, 0);
        return Errors.forCode(r.errorCode()).name();
    }

    /** A fresh client instance's subscription, then one push of {@code metrics}: the push's error. */
    private static String freshPush(Side side, int codec, byte[] metrics) throws Exception {
        try (KafkaWire wire = side.connect()) {
            return send(wire, pushRequest(subscribe(wire, Uuid.ZERO_UUID), codec, metrics));
        }
    }

    /** Gauges with long, alike names: metrics text compresses well, as real clients' does. */
    private static byte[] manyGauges(int atLeastBytes) {
        ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
        int size = 0;
        for (int i = 0; size < atLeastBytes; i++) {
            Metric m = Metric.newBuilder()
                    .setName(METRICS + "record.send.rate.per.topic.partition." + i)
                    .setGauge(Gauge.newBuilder()
                            .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i)))
                    .build();
            scope.addMetrics(m);
            size += m.getSerializedSize() + 3;
        }
        return MetricsData.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope))
                .build()
                .toByteArray();
    }

    // ---- the questions

    @Test
    void subscriptionsAndThrottlingMatchKafka() throws Exception {
        same("a new client's subscription", s -> {
            try (KafkaWire wire = s.connect()) {
                return described(subscribe(wire, Uuid.ZERO_UUID));
            }
        });
        same("asking again at once", s -> {
            try (KafkaWire wire = s.connect()) {
                GetTelemetrySubscriptionsResponseData first = subscribe(wire, Uuid.ZERO_UUID);
                return described(subscribe(wire, first.clientInstanceId()));
            }
        });
        same("an instance id the broker never gave", s -> {
            try (KafkaWire wire = s.connect()) {
                return described(subscribe(wire, Uuid.randomUuid()));
            }
        });
        same("a push right after subscribing, then another at once", s -> {
            try (KafkaWire wire = s.connect()) {
                GetTelemetrySubscriptionsResponseData sub = subscribe(wire, Uuid.ZERO_UUID);
                return send(wire, pushRequest(sub, 0, gauge(METRICS + "a", 1))) + ", "
                        + send(wire, pushRequest(sub, 0, gauge(METRICS + "a", 2)));
            }
        });
        same("a terminating push, then another push", s -> {
            try (KafkaWire wire = s.connect()) {
                GetTelemetrySubscriptionsResponseData sub = subscribe(wire, Uuid.ZERO_UUID);
                return send(wire, pushRequest(sub, 0, gauge(METRICS + "bye", 1)).setTerminating(true)) + ", "
                        + send(wire, pushRequest(sub, 0, gauge(METRICS + "again", 1)));
            }
        });
    }

    @Test
    void refusedPushesMatchKafka() throws Exception {
        same("a push with the zero instance id", s -> {
            try (KafkaWire wire = s.connect()) {
                return send(
                        wire,
                        new PushTelemetryRequestData()
                                .setClientInstanceId(Uuid.ZERO_UUID)
                                .setMetrics(ByteBuffer.wrap(gauge("x", 1))));
            }
        });
        same("a push from an instance never subscribed", s -> {
            try (KafkaWire wire = s.connect()) {
                return send(
                        wire,
                        new PushTelemetryRequestData()
                                .setClientInstanceId(Uuid.randomUuid())
                                .setSubscriptionId(12345)
                                .setMetrics(ByteBuffer.wrap(gauge("x", 1))));
            }
        });
        same("a push with another subscription id", s -> {
            try (KafkaWire wire = s.connect()) {
                GetTelemetrySubscriptionsResponseData sub = subscribe(wire, Uuid.ZERO_UUID);
                return send(wire, pushRequest(sub, 0, gauge("x", 1)).setSubscriptionId(sub.subscriptionId() + 1));
            }
        });
        for (int codec : new int[] {5, 127, -1})
            same("compression type " + codec, s -> freshPush(s, codec, gauge("x", 1)));
        same("a payload over telemetry.max.bytes", s -> freshPush(s, 0, new byte[MAX_BYTES + 1]));
        same(
                "a gzip payload of metrics that inflates to 8 times telemetry.max.bytes",
                s -> freshPush(s, 1, gzip(manyGauges(8 * MAX_BYTES))));
        // not compared: a decompression bomb (1 MiB of zeros in 1 KiB of gzip); Kafka inflates it without bound
        // and hands it to its receiver, Skiff refuses it with TELEMETRY_TOO_LARGE (TelemetryHostileTest)
        same("an empty payload", s -> freshPush(s, 0, new byte[0]));
        same("bytes that are not protobuf", s -> freshPush(s, 0, new byte[] {0x0a, 0x7f, 0x01}));
        same("a gzip header and garbage", s -> freshPush(s, 1, new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}));
        same("garbage said to be zstd", s -> freshPush(s, 4, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    }
}
