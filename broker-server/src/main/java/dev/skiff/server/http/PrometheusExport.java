package dev.skiff.server.http;

import dev.skiff.broker.metrics.BrokerGauges;
import dev.skiff.broker.metrics.BrokerMetrics;
import dev.skiff.broker.metrics.ClientConnection;
import dev.skiff.broker.metrics.LatencyHistogram;
import dev.skiff.broker.metrics.Meter;
import dev.skiff.broker.metrics.RequestMeters;
import dev.skiff.broker.metrics.TopicMeters;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broker's figures in Prometheus' text format, written by Prometheus' own Java library from snapshots of
 * the broker's counters taken at scrape time. Names are those Prometheus' JMX exporter gives Kafka's MBeans
 * with its usual Kafka rules ({@code kafka_server_brokertopicmetrics_messagesin_total{topic=...}},
 * {@code kafka_log_log_size{topic,partition}}, ...), so dashboards built for Kafka behind the JMX exporter work;
 * group lag uses the names of the common Kafka exporter ({@code kafka_consumergroup_lag}).
 */
final class PrometheusExport {

    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private PrometheusExport() {}

    static byte[] scrape(BrokerMetrics metrics, BrokerGauges gauges) {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        topicCounters(out, metrics, "messagesin", "Messages appended by producers", t -> t.messagesIn);
        topicCounters(out, metrics, "bytesin", "Record bytes appended by producers", t -> t.bytesIn);
        topicCounters(out, metrics, "bytesout", "Record bytes handed to fetchers", t -> t.bytesOut);

        CounterSnapshot.Builder requests = CounterSnapshot.builder()
                .name("kafka_network_requestmetrics_requests")
                .help("Requests answered, by API (Kafka's request name) and version");
        HistogramSnapshot.Builder times = HistogramSnapshot.builder()
                .name("kafka_network_requestmetrics_totaltimems")
                .help("Time from a request's arrival to its answer being written, in milliseconds");
        Map<String, RequestMeters> byName = new TreeMap<>();
        metrics.requests().values().forEach(r -> byName.put(r.request, r));
        for (RequestMeters r : byName.values()) {
            new TreeMap<>(r.versions())
                    .forEach((version, m) -> requests.dataPoint(CounterDataPointSnapshot.builder()
                            .labels(Labels.of("request", r.request, "version", Short.toString(version)))
                            .value(m.count())
                            .build()));
            LatencyHistogram h = r.totalTime;
            double[] bounds = LatencyHistogram.boundsMs();
            long[] counts = h.bucketCounts();
            double[] upper = new double[bounds.length + 1];
            System.arraycopy(bounds, 0, upper, 0, bounds.length);
            upper[bounds.length] = Double.POSITIVE_INFINITY;
            times.dataPoint(HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("request", r.request))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, counts))
                    .sum(h.sumMs())
                    .build());
        }
        out.metricSnapshot(requests.build());
        out.metricSnapshot(times.build());

        out.metricSnapshot(gauge(
                "kafka_server_replicamanager_underreplicatedpartitions",
                "Partitions led here whose in-sync replicas are fewer than their replicas",
                gauges.underReplicatedPartitions()));
        out.metricSnapshot(gauge(
                "kafka_server_replicamanager_partitioncount", "Partitions on this broker", gauges.partitionCount()));
        out.metricSnapshot(gauge(
                "kafka_coordinator_group_groupmetadatamanager_numgroups",
                "Consumer groups known to the coordinator",
                gauges.groupCount()));

        GaugeSnapshot.Builder size =
                GaugeSnapshot.builder().name("kafka_log_log_size").help("Bytes in a partition's log");
        GaugeSnapshot.Builder start =
                GaugeSnapshot.builder().name("kafka_log_log_logstartoffset").help("First offset in a partition's log");
        GaugeSnapshot.Builder end = GaugeSnapshot.builder()
                .name("kafka_log_log_logendoffset")
                .help("Offset the next record appended to a partition gets");
        GaugeSnapshot.Builder segments =
                GaugeSnapshot.builder().name("kafka_log_log_numlogsegments").help("Segments in a partition's log");
        for (BrokerGauges.PartitionLog p : gauges.partitionLogs()) {
            Labels l = Labels.of("topic", p.topic(), "partition", Integer.toString(p.partition()));
            size.dataPoint(point(l, p.size()));
            start.dataPoint(point(l, p.logStartOffset()));
            end.dataPoint(point(l, p.logEndOffset()));
            segments.dataPoint(point(l, p.segments()));
        }
        out.metricSnapshot(size.build());
        out.metricSnapshot(start.build());
        out.metricSnapshot(end.build());
        out.metricSnapshot(segments.build());

        GaugeSnapshot.Builder lag = GaugeSnapshot.builder()
                .name("kafka_consumergroup_lag")
                .help("Records between a group's committed offset and the partition's end");
        GaugeSnapshot.Builder current = GaugeSnapshot.builder()
                .name("kafka_consumergroup_current_offset")
                .help("A group's committed offset on a partition");
        for (BrokerGauges.GroupLag g : gauges.lag()) {
            Labels l = Labels.of(
                    "consumergroup", g.group(), "topic", g.topic(), "partition", Integer.toString(g.partition()));
            lag.dataPoint(point(l, g.lag()));
            current.dataPoint(point(l, g.committed()));
        }
        out.metricSnapshot(lag.build());
        out.metricSnapshot(current.build());

        // Kafka's socket-server-metrics "connections", counted by listener and client software (ApiVersions v3+)
        Map<Labels, Integer> connections = new java.util.LinkedHashMap<>();
        for (ClientConnection c : metrics.connections()) {
            Labels l = Labels.of(
                    "listener", nonNull(c.listener()),
                    "client_software_name", nonNull(c.softwareName()),
                    "client_software_version", nonNull(c.softwareVersion()));
            connections.merge(l, 1, Integer::sum);
        }
        GaugeSnapshot.Builder conn = GaugeSnapshot.builder()
                .name("kafka_server_socket_server_metrics_connections")
                .help("Open client connections by listener and client software");
        connections.forEach((l, n) -> conn.dataPoint(point(l, n)));
        out.metricSnapshot(conn.build());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(bytes, out.build(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String nonNull(String s) {
        return s == null ? "unknown" : s;
    }

    private interface MeterOf {
        Meter of(TopicMeters t);
    }

    private static void topicCounters(
            MetricSnapshots.Builder out, BrokerMetrics metrics, String name, String help, MeterOf meter) {
        CounterSnapshot.Builder c = CounterSnapshot.builder()
                .name("kafka_server_brokertopicmetrics_" + name)
                .help(help);
        c.dataPoint(CounterDataPointSnapshot.builder()
                .labels(Labels.EMPTY)
                .value(meter.of(metrics.allTopics()).count())
                .build());
        new TreeMap<>(metrics.topics())
                .forEach((topic, t) -> c.dataPoint(CounterDataPointSnapshot.builder()
                        .labels(Labels.of("topic", topic))
                        .value(meter.of(t).count())
                        .build()));
        out.metricSnapshot(c.build());
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder()
                .name(name)
                .help(help)
                .dataPoint(point(Labels.EMPTY, value))
                .build();
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
