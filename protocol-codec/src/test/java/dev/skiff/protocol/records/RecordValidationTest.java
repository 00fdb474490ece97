package dev.skiff.protocol.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Produce validation reads every record as Kafka does: batches with a valid CRC but unreadable records are
 * CORRUPT_MESSAGE, rule violations (control batches from clients, offsets out of order, missing keys on
 * compacted topics) INVALID_RECORD, and the record timestamps feed Kafka's timestamp window check.
 */
class RecordValidationTest {
    private static final long T0 = 1_700_000_000_000L;

    /** A record body: attributes, deltas, key, value, headers, written field by field. */
    private static ByteBuffer body(
            int offsetDelta, long timestampDelta, byte[] key, byte[] value, int headerCount, byte[] headers) {
        ByteBuffer b = ByteBuffer.allocate(
                64 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + headers.length);
        b.put((byte) 0);
        Varints.writeVarlong(timestampDelta, b);
        Varints.writeVarint(offsetDelta, b);
        writeBytes(b, key);
        writeBytes(b, value);
        Varints.writeVarint(headerCount, b);
        b.put(headers);
        return b.flip();
    }

    private static void writeBytes(ByteBuffer b, byte[] v) {
        if (v == null) {
            Varints.writeVarint(-1, b);
        } else {
            Varints.writeVarint(v.length, b);
            b.put(v);
        }
    }

    /** A record: its length (as given, possibly a lie) and body. */
    private static byte[] record(int declaredLength, ByteBuffer body) {
        ByteBuffer b = ByteBuffer.allocate(5 + body.remaining());
        Varints.writeVarint(declaredLength, b);
        b.put(body.duplicate());
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] record(ByteBuffer body) {
        return record(body.remaining(), body);
    }

    private static byte[] good(int offsetDelta) {
        return record(body(offsetDelta, offsetDelta, "k".getBytes(), "v".getBytes(), 0, new byte[0]));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private static ByteBuffer signed(int count, byte[] records) {
        return Bombs.batch(CompressionType.NONE, count, count - 1, T0, records);
    }

    private static void assertCorrupt(ByteBuffer batch, String why) {
        RecordBatches.validate(batch.duplicate()); // the header and CRC are valid: only reading the records tells
        assertThrows(CorruptRecordException.class, () -> RecordBatches.validateProduce(batch.duplicate()), why);
    }

    @Test
    void validBatchesPass() {
        ValidationResult r = RecordBatches.validateProduce(signed(3, concat(good(0), good(1), good(2))));
        assertEquals(3, r.recordCount());
        assertEquals(T0, r.batches().get(0).minRecordTimestamp());
        assertEquals(T0 + 2, r.batches().get(0).maxRecordTimestamp());
    }

    @Test
    void unreadableRecordsWithAValidCrcAreCorrupt() {
        ByteBuffer one = body(0, 0, "k".getBytes(), "v".getBytes(), 0, new byte[0]);
        assertCorrupt(signed(1, record(1000, one)), "record length beyond the batch");
        assertCorrupt(signed(1, record(one.remaining() - 1, one)), "record length short of its fields");
        assertCorrupt(signed(1, record(3, one)), "record length below the smallest record");
        byte[] longer = record(body(0, 0, "k".getBytes(), "vvvvvvvv".getBytes(), 0, new byte[0]));
        assertCorrupt(signed(2, concat(longer, new byte[] {(byte) 0x80, (byte) 0x80})), "truncated length varint");
        assertCorrupt(
                signed(1, record(body(0, 0, "k".getBytes(), "v".getBytes(), -3, new byte[0]))),
                "negative header count");
        assertCorrupt(
                signed(1, record(body(0, 0, "k".getBytes(), "v".getBytes(), 1000, new byte[0]))),
                "header count beyond the record");
        assertCorrupt(
                signed(1, record(body(0, 0, "k".getBytes(), "v".getBytes(), 1, new byte[] {3, 1}))),
                "header key beyond the record");
        assertCorrupt(
                signed(1, record(body(0, 0, "k".getBytes(), "v".getBytes(), 1, new byte[] {1, 2}))),
                "negative header key length");
        ByteBuffer keyTooLong = body(0, 0, "k".getBytes(), "v".getBytes(), 0, new byte[0]);
        keyTooLong.put(3, (byte) 100); // key length varint: 50
        assertCorrupt(signed(1, record(keyTooLong)), "key beyond the record");
        ByteBuffer badValue = body(0, 0, "k".getBytes(), "v".getBytes(), 0, new byte[0]);
        badValue.put(5, (byte) 5); // value length varint: -3
        assertCorrupt(signed(1, record(badValue)), "negative value length");
        byte[] longerNext = record(body(1, 0, "k".getBytes(), "vvvvvvvv".getBytes(), 0, new byte[0]));
        assertCorrupt(signed(3, concat(longer, longerNext)), "fewer records than the header declares");
        assertCorrupt(signed(2, concat(good(0), good(1), good(2))), "more records than the header declares");
        assertCorrupt(signed(1, concat(good(0), new byte[] {0, 0, 0})), "bytes after the last record");
        byte[] longVarint = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 0, 0, 0, 0, 0, 0};
        assertCorrupt(signed(1, longVarint), "a varint of more than five bytes");
    }

    @ParameterizedTest
    @EnumSource(
            value = CompressionType.class,
            names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void compressedRecordsAreReadToo(CompressionType type) {
        byte[] fewer = concat(good(0), good(1));
        ByteBuffer compressed = Compression.compress(type, ByteBuffer.wrap(fewer), RecordBatch.MAGIC);
        ByteBuffer batch = Bombs.batch(type, 3, 2, T0, Record.bytes(compressed));
        assertCorrupt(batch, "a compressed batch with fewer records than declared");
        ByteBuffer garbage = Bombs.batch(type, 1, 0, T0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertCorrupt(garbage, "a stream that is not " + type);
        ByteBuffer fine = Bombs.batch(
                type, 2, 1, T0, Record.bytes(Compression.compress(type, ByteBuffer.wrap(fewer), RecordBatch.MAGIC)));
        assertEquals(2, RecordBatches.validateProduce(fine).recordCount());
    }

    @Test
    void offsetDeltasMustIncreaseWithinTheBatch() {
        assertThrows(
                InvalidRecordException.class, () -> RecordBatches.validateProduce(signed(2, concat(good(0), good(0)))));
        assertThrows(
                InvalidRecordException.class, () -> RecordBatches.validateProduce(signed(2, concat(good(1), good(0)))));
        assertThrows(
                InvalidRecordException.class,
                () -> RecordBatches.validateProduce(signed(2, concat(good(0), good(5)))),
                "beyond lastOffsetDelta");
    }

    @Test
    void clientsMayNotWriteControlBatches() {
        ByteBuffer marker = RecordBatchBuilder.endTxnMarker(0, T0, 7, (short) 0, 1, true, 0);
        RecordBatches.validate(marker.duplicate());
        InvalidRecordException e =
                assertThrows(InvalidRecordException.class, () -> RecordBatches.validateProduce(marker));
        assertTrue(e.getMessage().contains("control records"), e.getMessage());
        RecordBatches.validateDeep(marker, true); // stored markers are fine where control batches belong
    }

    @Test
    void compactedTopicsNeedKeys() {
        ByteBuffer noKey = signed(1, record(body(0, 0, null, "v".getBytes(), 0, new byte[0])));
        RecordBatches.validateProduce(noKey.duplicate(), false, DecompressionBudget.forRequest(1 << 20));
        assertThrows(
                InvalidRecordException.class,
                () -> RecordBatches.validateProduce(noKey.duplicate(), true, DecompressionBudget.forRequest(1 << 20)));
    }

    @Test
    void timestampsOutsideKafkasWindowAreInvalid() {
        long now = T0;
        long hour = 3_600_000L;
        // record timestamps out of order: T0 - 2h, T0 + 2h, T0
        byte[] records = concat(
                record(body(0, -2 * hour, "k".getBytes(), "v".getBytes(), 0, new byte[0])),
                record(body(1, 2 * hour, "k".getBytes(), "v".getBytes(), 0, new byte[0])),
                record(body(2, 0, "k".getBytes(), "v".getBytes(), 0, new byte[0])));
        BatchSummary s =
                RecordBatches.validateProduce(signed(3, records)).batches().get(0);
        assertEquals(T0 - 2 * hour, s.minRecordTimestamp());
        assertEquals(T0 + 2 * hour, s.maxRecordTimestamp());
        // Kafka's defaults: before.max Long.MAX_VALUE, after.max one hour: two hours ahead is invalid
        ApiException ahead = assertThrows(ApiException.class, () -> s.checkTimestamps(now, Long.MAX_VALUE, hour));
        assertEquals(Errors.INVALID_TIMESTAMP, ahead.error());
        s.checkTimestamps(now, Long.MAX_VALUE, 3 * hour);
        ApiException behind = assertThrows(ApiException.class, () -> s.checkTimestamps(now, hour, 3 * hour));
        assertEquals(Errors.INVALID_TIMESTAMP, behind.error());
        s.checkTimestamps(now, 2 * hour, 2 * hour); // the window's ends are inside it

        // extreme timestamps and windows do not overflow
        byte[] extreme = record(body(0, 0, "k".getBytes(), "v".getBytes(), 0, new byte[0]));
        BatchSummary old = RecordBatches.validateProduce(
                        Bombs.batch(CompressionType.NONE, 1, 0, Long.MIN_VALUE / 2, extreme))
                .batches()
                .get(0);
        old.checkTimestamps(now, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThrows(ApiException.class, () -> old.checkTimestamps(now, hour, Long.MAX_VALUE));

        // log append time batches and records without a timestamp are not checked
        ByteBuffer appendTime = new RecordBatchBuilder(CompressionType.NONE)
                .logAppendTime(T0 + 10 * hour)
                .append(T0 + 10 * hour, "k".getBytes(), "v".getBytes())
                .build();
        RecordBatches.validateProduce(appendTime).batches().get(0).checkTimestamps(now, hour, hour);
        ByteBuffer none = new RecordBatchBuilder(CompressionType.NONE)
                .append(RecordBatch.NO_TIMESTAMP, "k".getBytes(), "v".getBytes())
                .build();
        BatchSummary untimed = RecordBatches.validateProduce(none).batches().get(0);
        assertEquals(RecordBatch.NO_TIMESTAMP, untimed.minRecordTimestamp());
        untimed.checkTimestamps(now, 0, 0);
    }

    @Test
    void recordsBuiltByTheBuilderPassWithTheirHeaders() {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.ZSTD);
        for (int i = 0; i < 50; i++) {
            b.append(T0 + i, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        b.append(
                T0 + 50,
                ByteBuffer.wrap("k".getBytes()),
                null,
                List.of(new Header("h", ByteBuffer.wrap(new byte[3])), new Header("n", null)));
        ValidationResult r = RecordBatches.validateProduce(b.build(), true, DecompressionBudget.forRequest(1 << 20));
        assertEquals(51, r.recordCount());
        assertEquals(T0 + 50, r.batches().get(0).maxRecordTimestamp());
    }
}
