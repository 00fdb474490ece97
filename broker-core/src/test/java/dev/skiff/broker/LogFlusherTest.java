package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.config.BrokerConfig;
import dev.skiff.log.SegmentedLog;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each topic's flush.ms, or the broker's log.flush.interval.ms, decides when its partitions are flushed. */
class LogFlusherTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000);

    @Test
    void eachTopicIsFlushedOnItsOwnFlushMs() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.flush.interval.ms", "500"));
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition fast = written(topics.create("fast", 1, Map.of("flush.ms", "100")));
            Partition inherits = written(topics.create("inherits", 1, Map.of()));
            Partition never = written(topics.create("never", 1, Map.of("flush.ms", Long.toString(Long.MAX_VALUE))));
            LogFlusher flusher = new LogFlusher(topics, now::get, Long.MAX_VALUE);

            assertEquals(100, flusher.flushDue(), "the next check comes after the smallest flush.ms");
            assertEquals(0, flushedTo(fast), "a partition first seen counts as flushed then");

            now.addAndGet(100);
            flusher.flushDue();
            assertEquals(3, flushedTo(fast));
            assertEquals(0, flushedTo(inherits));

            now.addAndGet(400);
            flusher.flushDue();
            assertEquals(3, flushedTo(inherits), "the broker's log.flush.interval.ms");
            assertEquals(0, flushedTo(never));

            now.addAndGet(60_000);
            flusher.flushDue();
            assertEquals(0, flushedTo(never));
        }
    }

    @Test
    void withoutLogFlushIntervalMsTheSchedulerIntervalIsTheDefault() {
        // as Kafka: log.flush.interval.ms falls back to log.flush.scheduler.interval.ms
        BrokerConfig config = BrokerConfig.of(Map.of("log.flush.scheduler.interval.ms", "200"));
        try (TopicManager topics = new TopicManager(config, LogFactory.files(dir))) {
            Partition p = written(topics.create("t", 1, Map.of()));
            LogFlusher flusher = new LogFlusher(topics, now::get, config.flushSchedulerIntervalMs);
            assertEquals(200, flusher.flushDue());
            now.addAndGet(200);
            flusher.flushDue();
            assertEquals(3, flushedTo(p));
        }
    }

    @Test
    void checksStayWithinTheirBounds() {
        try (TopicManager topics = new TopicManager(BrokerConfig.of(Map.of()), LogFactory.files(dir))) {
            assertEquals(LogFlusher.MAX_CHECK_MS, new LogFlusher(topics, now::get, Long.MAX_VALUE).flushDue());
            assertEquals(50, new LogFlusher(topics, now::get, 50).flushDue(), "log.flush.scheduler.interval.ms");
            topics.create("always", 1, Map.of("flush.ms", "0"));
            assertEquals(LogFlusher.MIN_CHECK_MS, new LogFlusher(topics, now::get, Long.MAX_VALUE).flushDue());
        }
    }

    /** Partition 0 of the topic, holding one batch of three records. */
    private static Partition written(Topic t) {
        Partition p = t.partition(0);
        p.log()
                .append(new RecordBatchBuilder(CompressionType.NONE)
                        .append(1_000L, null, "a".getBytes())
                        .append(1_000L, null, "b".getBytes())
                        .append(1_000L, null, "c".getBytes())
                        .build());
        return p;
    }

    private static long flushedTo(Partition p) {
        return ((SegmentedLog) p.log()).recoveryPoint();
    }
}
