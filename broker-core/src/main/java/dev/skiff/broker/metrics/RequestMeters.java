package dev.skiff.broker.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka's RequestMetrics for one API: requests per version (RequestsPerSec carries a version tag since Kafka 2.2)
 * and the total time from a request's arrival to its answer being written (TotalTimeMs).
 */
public final class RequestMeters {
    /** Kafka's name of the API, as in its request tag: "Produce", "Fetch", "ApiVersions", ... */
    public final String request;

    private final Map<Short, Meter> byVersion = new ConcurrentHashMap<>();
    public final LatencyHistogram totalTime = new LatencyHistogram();

    RequestMeters(String request) {
        this.request = request;
    }

    Meter version(short version) {
        Meter m = byVersion.get(version);
        return m != null ? m : byVersion.computeIfAbsent(version, v -> new Meter());
    }

    /** The meters by version, for exporters. */
    public Map<Short, Meter> versions() {
        return Map.copyOf(byVersion);
    }

    void tick() {
        byVersion.values().forEach(Meter::tick);
    }
}
