package dev.skiff.bench;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decoded Produce request (one partition, a batch of 160 records of 100 bytes, acks=1) through the
 * broker without its network: the handler, validation, producer checks and the append to a segment file.
 * Retention keeps the disk use bounded. Measures what the data path adds around {@code Log.append}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ProducePathBenchmark {

    /** Records of 100 bytes per batch; allocation must not grow with it. */
    @Param("160")
    public int records;

    private Path dir;
    private Broker broker;
    private ByteBuffer batch;
    private ProduceRequestData request;
    private final RequestContext ctx = new RequestContext(ApiKeys.PRODUCE, (short) 9, 1, "bench", "127.0.0.1", 1);
    private long produced;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("skiff-jmh-produce");
        broker = new Broker(
                BrokerConfig.of(Map.of(
                        "log.dirs",
                        dir.toString(),
                        "log.segment.bytes",
                        Integer.toString(8 << 20),
                        "log.retention.bytes",
                        Long.toString(256L << 20))),
                LogFactory.files(dir));
        broker.createTopics(Map.of("perf", 1));
        batch = CodecBenchmark.batchOf(records, 100);
        request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("perf");
        topic.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(new BufferRecords(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(batch)))));
        request.topicData().add(topic);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        broker.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Benchmark
    public ApiMessage produce16kBatch() {
        batch.putLong(0, 0L); // the append wrote its offset in place; a client sends 0 (outside the CRC)
        ApiMessage answer = broker.handle(ctx, request).join();
        if ((++produced & 0x3FF) == 0) broker.topics().applyRetention(System.currentTimeMillis());
        return answer;
    }
}
