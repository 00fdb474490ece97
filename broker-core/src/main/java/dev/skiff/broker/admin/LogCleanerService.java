package dev.skiff.broker.admin;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfig;
import dev.skiff.config.TopicConfigDef;
import dev.skiff.log.Cleaner;
import dev.skiff.log.SegmentedLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the logs of {@code cleanup.policy=compact} topics in the background, every
 * {@code log.cleaner.backoff.ms} (Kafka's key; 15 s by default), below each partition's last stable offset
 * (an open transaction may yet abort; the high watermark bounds it too). A partition is cleaned again when a
 * segment was rolled since its last pass, when its last stable offset moved on after a pass it had held back,
 * or while it still holds tombstones waiting for delete.retention.ms. A pass maps the latest offset of each key
 * in bounded memory ({@code log.cleaner.dedupe.buffer.size}); when the map fills, the next pass goes on from
 * where it stopped. In-memory logs are not compacted.
 */
public final class LogCleanerService {

    private static final Logger log = LoggerFactory.getLogger(LogCleanerService.class);

    private final TopicManager topics;
    private final LongSupplier clock;
    private final Cleaner cleaner;
    private final Map<TopicPartition, Pass> lastPass = new ConcurrentHashMap<>();

    /** What the last pass over one partition saw. */
    private record Pass(SegmentedLog log, List<Long> segments, long stable, Cleaner.Result result) {}

    public LogCleanerService(TopicManager topics, LongSupplier clock) {
        this(topics, clock, Cleaner.DEFAULT_MAP_BYTES);
    }

    /** A service whose passes map keys in at most {@code mapBytes} ({@code log.cleaner.dedupe.buffer.size}). */
    public LogCleanerService(TopicManager topics, LongSupplier clock, long mapBytes) {
        this.topics = topics;
        this.clock = clock;
        this.cleaner = new Cleaner(CompactionRecords::keys, CompactionRecords::rewrite, mapBytes);
    }

    /** {@code log.cleaner.dedupe.buffer.size}, Kafka's key for the memory of the cleaner's map, at least 1 MiB. */
    public static long mapBytes(BrokerConfig config) {
        String v = config.get("log.cleaner.dedupe.buffer.size");
        try {
            return v == null ? Cleaner.DEFAULT_MAP_BYTES : Math.max(1 << 20, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return Cleaner.DEFAULT_MAP_BYTES;
        }
    }

    public static boolean enabled(BrokerConfig config) {
        String v = config.get("log.cleaner.enable");
        return v == null || !v.trim().equalsIgnoreCase("false");
    }

    public static long intervalMs(BrokerConfig config) {
        String v = config.get("log.cleaner.backoff.ms");
        try {
            return v == null ? 15_000 : Math.max(10, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 15_000;
        }
    }

    /** Schedules passes on the broker's scheduler unless log.cleaner.enable=false. */
    public void schedule(ScheduledExecutorService scheduler, BrokerConfig config) {
        if (!enabled(config)) return;
        long every = intervalMs(config);
        scheduler.scheduleWithFixedDelay(this::runSafely, every, every, TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Log cleaner pass failed: {}", e.toString());
        }
    }

    /** One pass over every compacted partition that has work; returns the number of segments rewritten. */
    public synchronized int runOnce() {
        int cleaned = 0;
        for (Topic t : topics.all()) {
            boolean compact = TopicConfigDef.listItems(topics.effectiveConfig(t, TopicConfig.CLEANUP_POLICY))
                    .contains("compact");
            if (!compact) continue;
            long horizon =
                    clock.getAsLong() - Long.parseLong(topics.effectiveConfig(t, TopicConfig.DELETE_RETENTION_MS));
            for (Partition p : t.partitions()) {
                if (p.logIfMade() instanceof SegmentedLog sl) cleaned += clean(p, sl, horizon);
            }
        }
        lastPass.keySet().removeIf(tp -> topics.partition(tp.topic(), tp.partition()) == null);
        return cleaned;
    }

    private int clean(Partition p, SegmentedLog sl, long tombstoneHorizon) {
        TopicPartition tp = p.id();
        List<Long> segments = sl.segmentBaseOffsets();
        if (segments.size() < 2) return 0; // only the active segment, which is never compacted
        Pass last = lastPass.get(tp);
        try {
            long stable = p.lastStableOffset();
            long active = segments.get(segments.size() - 1);
            boolean sameLog = last != null && last.log() == sl;
            if (sameLog
                    && last.result().complete()
                    && last.segments().equals(segments)
                    && last.result().tombstonesKept() == 0
                    && (last.stable() >= active || last.stable() == stable)) return 0;
            // a pass whose map filled is taken up where it stopped; any other maps the log from its start
            long mapFrom = sameLog && !last.result().complete() ? last.result().mappedTo() : sl.logStartOffset();
            Cleaner.Result r = cleaner.clean(sl, tombstoneHorizon, stable, mapFrom);
            lastPass.put(tp, new Pass(sl, sl.segmentBaseOffsets(), stable, r));
            return r.segmentsCleaned();
        } catch (RuntimeException e) {
            // a topic deleted meanwhile closes its logs; anything else is retried on the next pass
            lastPass.remove(tp);
            if (topics.partition(tp.topic(), tp.partition()) != null)
                log.warn("Cleaning {} failed: {}", tp, e.toString());
            return 0;
        }
    }
}
