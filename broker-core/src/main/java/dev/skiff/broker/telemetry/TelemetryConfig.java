package dev.skiff.broker.telemetry;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the broker asks clients to push (KIP-714), read from the broker's properties:
 * <ul>
 * <li>{@code skiff.telemetry.metrics}: the metric name prefixes clients are asked for, comma separated, {@code *}
 *     for all. Unset (the default): the telemetry APIs are not served, as Kafka does not list them without a
 *     telemetry receiver, so clients push nothing.
 * <li>{@code skiff.telemetry.push.interval.ms}: how often clients push; Kafka's client-metrics default, 300000.
 * <li>{@code telemetry.max.bytes}: Kafka's key, the largest payload a client may push (compressed and
 *     decompressed), 1 MiB.
 * <li>{@code skiff.telemetry.max.clients}: how many client instances the broker remembers (least recently heard
 *     from are forgotten first), 1000.
 * <li>{@code skiff.telemetry.store}: false accepts pushes and drops them (nothing is kept).
 * </ul>
 */
public record TelemetryConfig(List<String> metrics, int pushIntervalMs, int maxBytes, int maxClients, boolean store) {

    public static final String METRICS = "skiff.telemetry.metrics";
    public static final String ALL_METRICS = "*";

    public static TelemetryConfig of(BrokerConfig config) {
        List<String> metrics = new ArrayList<>();
        String listed = config.get(METRICS);
        if (listed != null)
            for (String m : listed.split(",")) {
                if (!m.isBlank()) metrics.add(m.trim());
            }
        if (metrics.contains(ALL_METRICS)) metrics = List.of(ALL_METRICS);
        int interval = positive(config, "skiff.telemetry.push.interval.ms", 300_000);
        if (interval < 100 || interval > 3_600_000)
            throw new ConfigException("skiff.telemetry.push.interval.ms must be 100-3600000: " + interval);
        String store = config.get("skiff.telemetry.store");
        if (store != null && !store.equalsIgnoreCase("true") && !store.equalsIgnoreCase("false"))
            throw new ConfigException("skiff.telemetry.store must be true or false: " + store);
        return new TelemetryConfig(
                List.copyOf(metrics),
                interval,
                positive(config, "telemetry.max.bytes", 1024 * 1024),
                positive(config, "skiff.telemetry.max.clients", 1000),
                store == null || store.equalsIgnoreCase("true"));
    }

    /** True when clients are asked for metrics, so the broker serves the telemetry APIs. */
    public boolean enabled() {
        return !metrics.isEmpty();
    }

    private static int positive(BrokerConfig config, String key, int def) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return def;
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException(key + " must be a positive number: " + v);
    }
}
