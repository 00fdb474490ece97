package dev.skiff.broker;

import dev.skiff.config.TopicConfig;
import dev.skiff.log.Log;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes each partition at least every {@code flush.ms} of its topic (the broker's {@code log.flush.interval.ms}
 * unless the topic sets its own), as Kafka's log flusher does. Kafka checks every {@code
 * log.flush.scheduler.interval.ms}, which is unset by default, so its topics' {@code flush.ms} does nothing until
 * that is set; Skiff checks as often as the smallest {@code flush.ms} in force asks (at most every 10 ms, at least
 * every second, or every {@code log.flush.scheduler.interval.ms} when that is set lower). A topic left at the
 * default (never) costs one config lookup per check.
 */
public final class LogFlusher {

    private static final Logger log = LoggerFactory.getLogger(LogFlusher.class);
    static final long MIN_CHECK_MS = 10, MAX_CHECK_MS = 1000;

    private final TopicManager topics;
    private final LongSupplier clock;
    private final long schedulerIntervalMs;
    /** When each partition was last flushed here (first seen: counted as flushed then). */
    private Map<Partition, Long> lastFlush = new IdentityHashMap<>();

    public LogFlusher(TopicManager topics, LongSupplier clock, long schedulerIntervalMs) {
        this.topics = topics;
        this.clock = clock;
        this.schedulerIntervalMs = schedulerIntervalMs <= 0 ? Long.MAX_VALUE : schedulerIntervalMs;
    }

    /** Runs the checks on {@code timer} until it shuts down. */
    public void schedule(ScheduledExecutorService timer) {
        timer.schedule(() -> runAndReschedule(timer), MAX_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    private void runAndReschedule(ScheduledExecutorService timer) {
        long next = MAX_CHECK_MS;
        try {
            next = flushDue();
        } catch (RuntimeException e) {
            log.warn("Log flush check failed: {}", e.toString());
        }
        if (!timer.isShutdown()) {
            try {
                timer.schedule(() -> runAndReschedule(timer), next, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the broker is closing
            }
        }
    }

    /**
     * Flushes every partition whose topic's flush.ms has passed since its last flush here; returns how long until
     * the next check (the smallest flush.ms in force, kept within its bounds).
     */
    long flushDue() {
        long now = clock.getAsLong();
        long smallest = Long.MAX_VALUE;
        Map<Partition, Long> seen = new IdentityHashMap<>();
        for (Topic t : topics.all()) {
            long flushMs = flushMs(t);
            if (flushMs == Long.MAX_VALUE) continue;
            smallest = Math.min(smallest, flushMs);
            for (Partition p : t.partitions()) {
                Log l = p.logIfMade();
                if (l == null) continue;
                long last = lastFlush.getOrDefault(p, now);
                if (now - last >= flushMs) {
                    try {
                        // as Kafka's flusher, only what is not on disk yet: an idle partition costs no fsync
                        if (l.recoveryPoint() < l.logEndOffset()) l.flush();
                    } catch (RuntimeException e) { // a failed fsync: the next check tries again
                        log.warn("Cannot flush {}: {}", p.id(), e.toString());
                        seen.put(p, last);
                        continue;
                    }
                    last = now;
                }
                seen.put(p, last);
            }
        }
        lastFlush = seen; // partitions deleted or no longer flushed are forgotten
        long check = Math.min(Math.min(smallest, MAX_CHECK_MS), schedulerIntervalMs);
        return Math.max(MIN_CHECK_MS, check);
    }

    private long flushMs(Topic t) {
        try {
            long v = Long.parseLong(topics.effectiveConfig(t, TopicConfig.FLUSH_MS));
            return v < 0 ? Long.MAX_VALUE : v;
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }
}
