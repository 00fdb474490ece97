package dev.skiff.bench;

import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogSlice;
import dev.skiff.log.SegmentedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The segmented log: appending 16 KB batches (one positional write each, plus sparse index entries), reading
 * by a random offset (index lookup plus a short header scan; returns a file region, no bytes copied) and
 * looking up an offset by timestamp, on a log of 100 MB in 8 MB segments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LogBenchmark {

    private static final int SEGMENT_BYTES = 8 << 20;

    private Path dir;
    private Log log;
    private Path appendDir;
    private Log appendLog;
    private ByteBuffer batch;
    private long endOffset;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        batch = CodecBenchmark.batchOf(160, 100);
        dir = Files.createTempDirectory("skiff-jmh-read");
        log = SegmentedLog.open(dir, LogConfig.defaults().withSegmentBytes(SEGMENT_BYTES));
        while (log.sizeInBytes() < 100L << 20) log.append(batch.duplicate());
        endOffset = log.logEndOffset();
        appendDir = Files.createTempDirectory("skiff-jmh-append");
        appendLog = SegmentedLog.open(
                appendDir, LogConfig.defaults().withSegmentBytes(SEGMENT_BYTES).withRetentionBytes(256L << 20));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        appendLog.close();
        delete(dir);
        delete(appendDir);
    }

    @Benchmark
    public Log.AppendInfo append16kBatch() {
        Log.AppendInfo info = appendLog.append(batch.duplicate());
        if ((info.lastOffset() & 0xFFFF) == 0)
            appendLog.applyRetention(System.currentTimeMillis()); // keep disk use bounded
        return info;
    }

    @Benchmark
    public LogSlice readAtRandomOffset() {
        long offset = ThreadLocalRandom.current().nextLong(endOffset);
        return log.read(offset, 1 << 20, true);
    }

    @Benchmark
    public Log.TimestampOffset offsetForTimestamp() {
        return log.offsetForTimestamp(ThreadLocalRandom.current().nextLong(1_000_000_000_000L, 3_000_000_000_000L));
    }

    private static void delete(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
