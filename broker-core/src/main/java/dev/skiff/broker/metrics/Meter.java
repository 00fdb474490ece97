package dev.skiff.broker.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A count of events and its rates, as Kafka's (Yammer) meters report them: the total, the mean rate since start
 * and exponentially weighted one-, five- and fifteen-minute rates. Marking costs one {@link LongAdder} add; the
 * rates are brought up to date by {@link #tick()}, which the broker calls every {@link #TICK_SECONDS} seconds.
 */
public final class Meter {

    static final int TICK_SECONDS = 5;

    private final LongAdder count = new LongAdder();
    private final long startNanos = System.nanoTime();
    private final Ewma oneMinute = new Ewma(1);
    private final Ewma fiveMinutes = new Ewma(5);
    private final Ewma fifteenMinutes = new Ewma(15);
    private long countAtLastTick;

    public void mark(long n) {
        count.add(n);
    }

    public void mark() {
        count.increment();
    }

    public long count() {
        return count.sum();
    }

    /** Events per second since the meter was made. */
    public double meanRate() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds <= 0 ? 0 : count() / seconds;
    }

    public double oneMinuteRate() {
        return oneMinute.ratePerSecond;
    }

    public double fiveMinuteRate() {
        return fiveMinutes.ratePerSecond;
    }

    public double fifteenMinuteRate() {
        return fifteenMinutes.ratePerSecond;
    }

    /** Folds the events since the last tick into the moving rates. */
    synchronized void tick() {
        long now = count();
        long delta = now - countAtLastTick;
        countAtLastTick = now;
        double instant = delta / (double) TICK_SECONDS;
        oneMinute.update(instant);
        fiveMinutes.update(instant);
        fifteenMinutes.update(instant);
    }

    /** An exponentially weighted moving average of a per-second rate, sampled every tick. */
    private static final class Ewma {
        private final double alpha;
        private volatile double ratePerSecond;
        private boolean started;

        Ewma(int minutes) {
            this.alpha = 1 - Math.exp(-TICK_SECONDS / (double) TimeUnit.MINUTES.toSeconds(minutes));
        }

        void update(double instant) {
            if (!started) {
                ratePerSecond = instant;
                started = true;
            } else {
                ratePerSecond += alpha * (instant - ratePerSecond);
            }
        }
    }
}
