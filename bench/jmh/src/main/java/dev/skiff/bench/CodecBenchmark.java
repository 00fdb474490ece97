package dev.skiff.bench;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.DecodedRequest;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.ResponseEncoder;
import dev.skiff.protocol.ResponseFrame;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.ValidationResult;
import dev.skiff.protocol.types.BufferRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec on the hot paths: decoding a produce request the way a producer sends it (one 16 KB batch of
 * 100-byte records, as ProducerPerformance does), validating that batch, and encoding a fetch response of six
 * partitions. The batch size is a parameter: with {@code -prof gc}, bytes allocated per operation that stay the same
 * from 10 to 1,000 records show that no Java object is made per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private static final short PRODUCE_VERSION = 9;
    private static final short FETCH_VERSION = 12;

    /** Records of 100 bytes in the produced batch (160 fill the producer's default 16 KB batch). */
    @Param({"160"})
    public int records;

    private ByteBuf produceFrame;
    private ByteBuffer batch;
    private FetchResponseData fetchResponse;
    private final ResponseEncoder encoder = new ResponseEncoder(ByteBufAllocator.DEFAULT);

    @Setup
    public void setUp() {
        batch = batchOf(records, 100);
        ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("perf");
        topic.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(new BufferRecords(Unpooled.wrappedBuffer(batch.duplicate()))));
        produce.topicData().add(topic);
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.PRODUCE.id())
                .setRequestApiVersion(PRODUCE_VERSION)
                .setCorrelationId(7)
                .setClientId("producer-1");
        ProtocolWriter w = new ProtocolWriter();
        header.write(w, ApiKeys.PRODUCE.requestHeaderVersion(PRODUCE_VERSION));
        produce.write(w, PRODUCE_VERSION);
        produceFrame = Unpooled.unreleasableBuffer(w.toByteBuf());

        fetchResponse = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse().setTopic("perf");
        for (int p = 0; p < 6; p++) {
            t.partitions()
                    .add(new FetchResponseData.PartitionData()
                            .setPartitionIndex(p)
                            .setHighWatermark(1_000_000)
                            .setRecords(new BufferRecords(
                                    Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(batch.duplicate())))));
        }
        fetchResponse.responses().add(t);
    }

    static ByteBuffer batchOf(int records, int valueSize) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        byte[] value = new byte[valueSize];
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) b.append(now, null, value);
        return b.build();
    }

    @Benchmark
    public Object decodeProduceRequest() {
        DecodedRequest r = RequestParser.parse(produceFrame.duplicate());
        return r.body();
    }

    @Benchmark
    public ValidationResult validateProducedBatch() {
        return RecordBatches.validateProduce(batch.duplicate());
    }

    @Benchmark
    public long encodeFetchResponse() {
        ResponseFrame f = encoder.encode(3, ApiKeys.FETCH, FETCH_VERSION, fetchResponse);
        long size = f.sizeInBytes();
        f.release();
        return size;
    }

    /** Keeps a reference so the JIT cannot drop the setup. */
    public List<Object> state() {
        return List.of(produceFrame, batch, fetchResponse);
    }
}
