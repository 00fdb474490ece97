package dev.skiff.bench;

import java.util.Arrays;

/** Summary of a sample of durations in nanoseconds, printed in milliseconds. */
record Stats(int n, double medianMs, double minMs, double p90Ms) {

    static Stats of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
        return new Stats(n, median / 1e6, s[0] / 1e6, s[Math.min(n - 1, (int) Math.ceil(n * 0.9) - 1)] / 1e6);
    }
}
