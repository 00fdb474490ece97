package dev.skiff.it.oracle;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.server.telemetry.ClientTelemetry;
import org.apache.kafka.server.telemetry.ClientTelemetryReceiver;
import org.apache.kafka.shaded.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;

/**
 * A metrics reporter for the oracle Kafka that receives client telemetry (KIP-714), decodes it and drops it, as
 * Skiff does with {@code skiff.telemetry.store=true} (Skiff keeps the decoded points): Kafka serves
 * GetTelemetrySubscriptions and PushTelemetry only when a reporter implementing {@link ClientTelemetry} is
 * configured ({@code metric.reporters}). It runs inside Kafka's JVM, loaded from this module's test classes.
 */
public final class OracleTelemetryReporter implements MetricsReporter, ClientTelemetry {

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public void init(List<KafkaMetric> metrics) {}

    @Override
    public void metricChange(KafkaMetric metric) {}

    @Override
    public void metricRemoval(KafkaMetric metric) {}

    @Override
    public void close() {}

    @Override
    public ClientTelemetryReceiver clientReceiver() {
        // decodes what clients push, as any real receiver must: a payload that is not OTLP metrics fails the push
        return (context, payload) -> {
            try {
                MetricsData.parseFrom(payload.data());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("not OTLP metrics", e);
            }
        };
    }
}
