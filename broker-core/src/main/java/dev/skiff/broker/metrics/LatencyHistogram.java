package dev.skiff.broker.metrics;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request times in fixed buckets (milliseconds), cheap to record from many threads: one adder per bucket plus a
 * sum and a maximum. Percentiles are read from the buckets (the upper bound of the bucket they fall in), which is
 * what a Prometheus histogram gives as well.
 */
public final class LatencyHistogram {

    /** Upper bounds of the buckets in milliseconds; the last bucket has no bound. */
    static final double[] BOUNDS_MS = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

    private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
    private final LongAdder sumMicros = new LongAdder();
    private final LongAccumulator maxMicros = new LongAccumulator(Math::max, 0);

    LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    }

    public void record(long nanos) {
        double ms = nanos / 1e6;
        int i = 0;
        while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]) i++;
        buckets[i].increment();
        long micros = nanos / 1000;
        sumMicros.add(micros);
        maxMicros.accumulate(micros);
    }

    public long count() {
        long n = 0;
        for (LongAdder b : buckets) n += b.sum();
        return n;
    }

    public double sumMs() {
        return sumMicros.sum() / 1000.0;
    }

    public double maxMs() {
        return maxMicros.get() / 1000.0;
    }

    public double meanMs() {
        long n = count();
        return n == 0 ? 0 : sumMs() / n;
    }

    /** The bucket bounds, for exporters. */
    public static double[] boundsMs() {
        return BOUNDS_MS.clone();
    }

    /** Counts per bucket (not cumulative), the last one for times above every bound. */
    public long[] bucketCounts() {
        long[] out = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) out[i] = buckets[i].sum();
        return out;
    }

    /** The upper bound of the bucket holding the {@code q} quantile (0..1); the maximum for the open bucket. */
    public double quantileMs(double q) {
        long[] counts = bucketCounts();
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return i < BOUNDS_MS.length ? Math.min(BOUNDS_MS[i], maxMs()) : maxMs();
        }
        return maxMs();
    }
}
