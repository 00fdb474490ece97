package dev.skiff.it.telemetry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Gauge;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Metric;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ScopeMetrics;

/** What the telemetry tests push: OpenTelemetry metrics payloads and the PushTelemetry requests carrying them. */
public final class TelemetryPayloads {

    private TelemetryPayloads() {}

    /** One gauge data point, as OTLP MetricsData bytes. */
    public static byte[] gauge(String name, double value) {
        return MetricsData.newBuilder()
                .addResourceMetrics(ResourceMetrics.newBuilder()
                        .addScopeMetrics(ScopeMetrics.newBuilder()
                                .addMetrics(Metric.newBuilder()
                                        .setName(name)
                                        .setGauge(Gauge.newBuilder()
                                                .addDataPoints(NumberDataPoint.newBuilder()
                                                        .setAsDouble(value))))))
                .build()
                .toByteArray();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    /** A push of {@code metrics} (compression type {@code codec}) under subscription {@code s}. */
    public static PushTelemetryRequestData pushRequest(
            GetTelemetrySubscriptionsResponseData s, int codec, byte[] metrics) {
        return new PushTelemetryRequestData()
                .setClientInstanceId(s.clientInstanceId())
                .setSubscriptionId(s.subscriptionId())
                .setCompressionType((byte) codec)
                .setMetrics(ByteBuffer.wrap(metrics));
    }
}
