package dev.skiff.protocol.records;

import static dev.skiff.protocol.records.KafkaOracle.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordBatchKafkaInteropTest {
    static final int N = 12;
    static final long T0 = 1_700_000_000_000L;

    static ByteBuffer kafkaBatch(
            CompressionType type, long baseOffset, long producerId, short epoch, int seq, boolean txn) {
        MemoryRecordsBuilder b = MemoryRecords.builder(
                ByteBuffer.allocate(1024),
                org.apache.kafka.common.record.RecordBatch.CURRENT_MAGIC_VALUE,
                kafkaCompression(type),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                baseOffset,
                T0,
                producerId,
                epoch,
                seq,
                txn,
                7);
        for (int i = 0; i < N; i++) b.append(T0 + i * 10 - (i == 5 ? 3000 : 0), key(i), value(i), kafkaHeaders(i));
        return b.build().buffer();
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaBuiltBatchesParseWithSkiff(CompressionType type) {
        ByteBuffer buf = kafkaBatch(type, 100, 4242L, (short) 3, 17, true);
        int before = buf.position();
        ValidationResult v = RecordBatches.validateDeep(buf, false);
        assertEquals(before, buf.position(), "validate must not move the buffer");
        assertEquals(1, v.batchCount());
        assertEquals(N, v.recordCount());
        assertEquals(100, v.firstOffset());
        assertEquals(100 + N - 1, v.lastOffset());
        BatchSummary s = v.batches().get(0);
        assertEquals(4242L, s.producerId());
        assertEquals(3, s.producerEpoch());
        assertEquals(17, s.baseSequence());
        assertTrue(s.transactional());
        assertFalse(s.control());
        assertEquals(type, s.compression());
        assertEquals(T0 + (N - 1) * 10, s.maxTimestamp());

        RecordBatch batch = RecordBatch.wrap(buf);
        MutableRecordBatch kb = MemoryRecords.readableRecords(buf.duplicate())
                .batches()
                .iterator()
                .next();
        assertEquals(kb.checksum(), batch.crc());
        assertEquals(kb.baseOffset(), batch.baseOffset());
        assertEquals(kb.partitionLeaderEpoch(), batch.partitionLeaderEpoch());
        assertEquals(kb.lastOffset(), batch.lastOffset());
        assertEquals(kb.lastSequence(), batch.lastSequence());
        assertEquals(kb.countOrNull(), batch.recordCount());
        assertEquals(kb.maxTimestamp(), batch.maxTimestamp());
        assertEquals(kb.sizeInBytes(), batch.sizeInBytes());
        assertEquals(kafkaRecords(buf), skiffRecords(buf));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void skiffBuiltBatchesReadByKafka(CompressionType type) {
        RecordBatchBuilder b = new RecordBatchBuilder(type)
                .baseOffset(50)
                .producer(9, (short) 1, 0)
                .partitionLeaderEpoch(4);
        for (int i = 0; i < N; i++) {
            b.append(
                    T0 + i,
                    key(i) == null ? null : ByteBuffer.wrap(key(i)),
                    value(i) == null ? null : ByteBuffer.wrap(value(i)),
                    skiffHeaders(i));
        }
        ByteBuffer buf = b.build();
        MutableRecordBatch kb = MemoryRecords.readableRecords(buf.duplicate())
                .batches()
                .iterator()
                .next();
        kb.ensureValid();
        assertEquals(org.apache.kafka.common.record.CompressionType.forId(type.id), kb.compressionType());
        assertEquals(50, kb.baseOffset());
        assertEquals(50 + N - 1, kb.lastOffset());
        assertEquals(9, kb.producerId());
        assertEquals(0, kb.baseSequence());
        assertEquals(4, kb.partitionLeaderEpoch());
        assertEquals(T0 + N - 1, kb.maxTimestamp());
        assertEquals(kafkaRecords(buf), skiffRecords(buf));

        // the same records built by Kafka read the same
        ByteBuffer kafka = kafkaBatch(type, 50, 9, (short) 1, 0, false);
        List<Flat> expected = kafkaRecords(kafka);
        List<Flat> actual = skiffRecords(buf);
        for (int i = 0; i < N; i++) {
            assertEquals(expected.get(i).key(), actual.get(i).key());
            assertEquals(expected.get(i).value(), actual.get(i).value());
            assertEquals(expected.get(i).headers(), actual.get(i).headers());
        }
        RecordBatches.validateProduce(buf);
    }

    @Test
    void uncompressedBatchIsByteIdenticalToKafkas() {
        ByteBuffer kafka = kafkaBatch(CompressionType.NONE, 0, 77, (short) 2, 5, false);
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE)
                .producer(77, (short) 2, 5)
                .partitionLeaderEpoch(7);
        for (int i = 0; i < N; i++) {
            b.append(
                    T0 + i * 10 - (i == 5 ? 3000 : 0),
                    key(i) == null ? null : ByteBuffer.wrap(key(i)),
                    value(i) == null ? null : ByteBuffer.wrap(value(i)),
                    skiffHeaders(i));
        }
        assertEquals(kafka, b.build());
    }

    @Test
    void patchingInPlaceKeepsTheBatchValidForKafka() {
        ByteBuffer buf = kafkaBatch(CompressionType.LZ4, 0, -1, (short) -1, -1, false);
        RecordBatch batch = RecordBatch.wrap(buf);
        long crc = batch.crc();
        batch.setBaseOffset(1_000_000L);
        batch.setPartitionLeaderEpoch(12);
        assertEquals(crc, batch.crc(), "base offset and leader epoch are outside the CRC");
        batch.setLogAppendTime(T0 + 99_999);
        assertTrue(batch.isValid());
        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());

        MutableRecordBatch kb = MemoryRecords.readableRecords(buf.duplicate())
                .batches()
                .iterator()
                .next();
        kb.ensureValid();
        assertEquals(1_000_000L, kb.baseOffset());
        assertEquals(12, kb.partitionLeaderEpoch());
        assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, kb.timestampType());
        List<Flat> kafka = kafkaRecords(buf);
        assertEquals(kafka, skiffRecords(buf));
        assertEquals(1_000_000L, kafka.get(0).offset());
        assertEquals(T0 + 99_999, kafka.get(3).timestamp());
    }

    @Test
    void logAppendTimeBuilderAndControlMarkers() {
        ByteBuffer data = new RecordBatchBuilder(CompressionType.ZSTD)
                .logAppendTime(T0)
                .transactional(true)
                .producer(5, (short) 0, 0)
                .append(1, "k".getBytes(), "v".getBytes())
                .append(2, null, "w".getBytes())
                .build();
        ByteBuffer marker = RecordBatchBuilder.endTxnMarker(2, T0, 5, (short) 0, 3, true, 0);
        ByteBuffer both = concat(data, marker);
        ValidationResult v = RecordBatches.validate(both);
        assertEquals(2, v.batchCount());
        assertTrue(v.batches().get(1).control());
        List<MutableRecordBatch> kbs = new java.util.ArrayList<>();
        MemoryRecords.readableRecords(both.duplicate()).batches().forEach(kbs::add);
        assertEquals(
                org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME,
                kbs.get(0).timestampType());
        assertTrue(kbs.get(1).isControlBatch());
        org.apache.kafka.common.record.Record control = kbs.get(1).iterator().next();
        assertEquals(
                org.apache.kafka.common.record.ControlRecordType.COMMIT,
                org.apache.kafka.common.record.ControlRecordType.parse(control.key()));
        assertEquals(
                3,
                org.apache.kafka.common.record.EndTransactionMarker.deserialize(control)
                        .coordinatorEpoch());
        assertEquals(
                RecordBatchBuilder.CONTROL_COMMIT,
                RecordBatchBuilder.controlType(
                        RecordBatch.wrap(marker).readRecords().get(0)));
        assertEquals(kafkaRecords(both), skiffRecords(both));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaReadsSkiffCompressionStreams(CompressionType type) throws Exception {
        byte[] data = value(2);
        ByteBuffer compressed = Compression.compress(type, ByteBuffer.wrap(data), (byte) 2);
        try (java.io.InputStream in = kafkaCompression(type)
                .wrapForInput(
                        compressed.duplicate(), (byte) 2, org.apache.kafka.common.utils.BufferSupplier.NO_CACHING)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(ByteBuffer.wrap(data), Compression.decompress(type, compressed, Integer.MAX_VALUE));
    }
}
