package dev.skiff.protocol.records;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.junit.jupiter.api.Test;

/** The sequence the broker runs on produce: validate, assign offsets in place, store; all visible to Kafka. */
class ProducePathTest {
    @Test
    void assignOffsetsThroughANettyView() {
        ByteBuffer batch = new RecordBatchBuilder(CompressionType.SNAPPY)
                .producer(1, (short) 0, 0)
                .append(5, "a".getBytes(), "1".getBytes())
                .append(6, "b".getBytes(), "2".getBytes())
                .build();
        ByteBuf frame = Unpooled.buffer();
        frame.writeBytes(new byte[] {9, 9, 9}).writeBytes(batch.duplicate());
        ByteBuf records = frame.slice(3, batch.remaining());

        ByteBuffer view = RecordBatches.nioView(records);
        ValidationResult v = RecordBatches.validateProduce(view);
        assertEquals(2, v.recordCount());
        long next = RecordBatches.assignOffsets(view, 40, 3, 777L);
        assertEquals(42, next);

        ByteBuffer stored = records.nioBuffer(); // the frame itself was patched
        MutableRecordBatch kb =
                MemoryRecords.readableRecords(stored).batches().iterator().next();
        kb.ensureValid();
        assertEquals(40, kb.baseOffset());
        assertEquals(41, kb.lastOffset());
        assertEquals(3, kb.partitionLeaderEpoch());
        assertEquals(777L, kb.maxTimestamp());
        assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, kb.timestampType());
    }

    @Test
    void compositeBuffersAreCopied() {
        ByteBuffer batch = new RecordBatchBuilder(CompressionType.NONE)
                .append(5, "a".getBytes(), "1".getBytes())
                .build();
        CompositeByteBuf c = Unpooled.compositeBuffer();
        c.addComponent(true, Unpooled.wrappedBuffer(batch.duplicate().limit(30)));
        c.addComponent(true, Unpooled.wrappedBuffer(batch.duplicate().position(30)));
        ByteBuffer view = RecordBatches.nioView(c);
        assertEquals(batch, view);
        assertEquals(1, RecordBatches.assignOffsets(view, 0, 0, RecordBatch.NO_TIMESTAMP));
        List<Record> records = RecordBatch.wrap(view).readRecords();
        assertEquals(5, records.get(0).timestamp());
    }

    @Test
    void legacyProduceIsUpConvertedThenAssigned() {
        LegacyMessageSetBuilder lb = new LegacyMessageSetBuilder((byte) 0, CompressionType.GZIP, 64);
        lb.append(0, -1, null, ByteBuffer.wrap("x".getBytes())).append(1, -1, null, ByteBuffer.wrap("y".getBytes()));
        ByteBuffer set = lb.build();
        assertEquals(0, RecordBatches.magic(set));
        ByteBuffer v2 = LegacyConverter.upConvert(set);
        assertEquals(2, RecordBatches.magic(v2));
        RecordBatches.validateProduce(v2);
        assertEquals(12, RecordBatches.assignOffsets(v2, 10, 0, RecordBatch.NO_TIMESTAMP));
        List<Record> r = RecordBatch.wrap(v2).readRecords();
        assertEquals(10, r.get(0).offset());
        assertEquals(11, r.get(1).offset());
        assertEquals(-1, r.get(1).timestamp());
        assertEquals(CompressionType.GZIP, RecordBatch.wrap(v2).compressionType());
    }
}
