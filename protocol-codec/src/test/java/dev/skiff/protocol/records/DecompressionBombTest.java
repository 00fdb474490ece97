package dev.skiff.protocol.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Small compressed inputs that claim or inflate to gigabytes are refused before or while inflating, with the
 * allocation of the validating thread bounded whatever they inflate to.
 */
class DecompressionBombTest {
    private static final int MB = 1 << 20;
    private static final int MAX_MESSAGE_BYTES = RecordBatches.KAFKA_DEFAULT_MESSAGE_MAX_BYTES;

    @Test
    void aGzipBatchOfOneGigabyteRecordIsRefusedInBoundedMemory() {
        long inflated = 1200L * MB;
        byte[] records = Bombs.gzip(Bombs.recordHead(0, inflated), inflated, Bombs.RECORD_TAIL);
        assertTrue(records.length < 2 * MB, "a " + records.length + "-byte bomb");
        ByteBuffer batch = Bombs.batch(CompressionType.GZIP, 1, 0, 1_700_000_000_000L, records);
        RecordBatches.validate(batch.duplicate()); // header and CRC are fine

        for (boolean compacted : new boolean[] {false, true}) {
            DecompressionBudget budget = DecompressionBudget.forRequest(MAX_MESSAGE_BYTES);
            long before = Bombs.allocatedByThisThread();
            ApiException e = assertThrows(
                    ApiException.class, () -> RecordBatches.validateProduce(batch.duplicate(), compacted, budget));
            long allocated = Bombs.allocatedByThisThread() - before;
            assertEquals(Errors.RECORD_LIST_TOO_LARGE, e.error());
            assertTrue(allocated < MB, "refusing the bomb allocated " + allocated + " bytes");
        }
    }

    @Test
    void manyHonestRecordsInflateOnlyUpToTheRequestBudget() {
        // 1200 records of 1 MB of zeros each, every length true: read record by record until the budget ends
        ByteArrayOutputStream plain = new ByteArrayOutputStream(72 * MB);
        int records = 1200;
        for (int i = 0; i < records; i++) {
            plain.writeBytes(Bombs.recordHead(i, MB));
            plain.writeBytes(new byte[MB]);
            plain.writeBytes(Bombs.RECORD_TAIL);
            if (plain.size() > 70 * MB) break; // the budget ends long before; the rest is never read
        }
        ByteBuffer gz =
                Compression.compress(CompressionType.GZIP, ByteBuffer.wrap(plain.toByteArray()), RecordBatch.MAGIC);
        ByteBuffer batch =
                Bombs.batch(CompressionType.GZIP, records, records - 1, 1_700_000_000_000L, Record.bytes(gz));
        DecompressionBudget budget = DecompressionBudget.forRequest(MAX_MESSAGE_BYTES);
        long before = Bombs.allocatedByThisThread();
        ApiException e = assertThrows(ApiException.class, () -> RecordBatches.validateProduce(batch, true, budget));
        long allocated = Bombs.allocatedByThisThread() - before;
        assertEquals(Errors.RECORD_LIST_TOO_LARGE, e.error());
        assertTrue(budget.remaining() < MB, "the budget was spent before refusing: " + budget.remaining());
        assertTrue(allocated < MB, "reading " + budget.limit() + " inflated bytes allocated " + allocated);
    }

    @Test
    void theBudgetIsSharedByTheBatchesOfOneRequest() {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        plain.writeBytes(Bombs.recordHead(0, 40 * MB));
        plain.writeBytes(new byte[40 * MB]);
        plain.writeBytes(Bombs.RECORD_TAIL);
        ByteBuffer gz =
                Compression.compress(CompressionType.GZIP, ByteBuffer.wrap(plain.toByteArray()), RecordBatch.MAGIC);
        ByteBuffer batch = Bombs.batch(CompressionType.GZIP, 1, 0, 1_700_000_000_000L, Record.bytes(gz));
        DecompressionBudget budget = DecompressionBudget.forRequest(MAX_MESSAGE_BYTES);
        RecordBatches.validateProduce(batch.duplicate(), false, budget); // 40 MB of a 64 MB budget: fine
        ApiException e =
                assertThrows(ApiException.class, () -> RecordBatches.validateProduce(batch.duplicate(), false, budget));
        assertEquals(Errors.RECORD_LIST_TOO_LARGE, e.error(), "the second partition of the same request");
        RecordBatches.validateProduce(batch.duplicate(), false, DecompressionBudget.forRequest(MAX_MESSAGE_BYTES));
    }

    @Test
    void legacyWrappersInflateOnlyToWhatTheBatchMayHold() {
        // six gzip wrappers, each a valid magic 0 message whose one inner message has a 250 MB value of zeros:
        // 1.5 MB on the wire that used to be inflated wrapper after wrapper into the heap
        byte[] wrapper = legacyGzipWrapper(250L * MB);
        ByteArrayOutputStream set = new ByteArrayOutputStream();
        for (int i = 0; i < 6; i++) set.writeBytes(wrapper);
        assertTrue(set.size() < 2 * MB, "a " + set.size() + "-byte message set");
        DecompressionBudget budget = DecompressionBudget.forRequest(MAX_MESSAGE_BYTES);
        long before = Bombs.allocatedByThisThread();
        ApiException e = assertThrows(
                ApiException.class,
                () -> LegacyConverter.upConvert(ByteBuffer.wrap(set.toByteArray()), MAX_MESSAGE_BYTES, budget));
        long allocated = Bombs.allocatedByThisThread() - before;
        assertEquals(Errors.MESSAGE_TOO_LARGE, e.error());
        assertTrue(allocated < 4L * MAX_MESSAGE_BYTES, "refusing the wrappers allocated " + allocated + " bytes");
    }

    @Test
    void plainLegacyMessagesBeyondMaxMessageBytesAreRefusedBeforeTheyAreDecoded() {
        LegacyMessageSetBuilder b = new LegacyMessageSetBuilder((byte) 1, CompressionType.NONE, 4 * MB);
        for (int i = 0; i < 40_000; i++) b.append(i, 1_700_000_000_000L, null, ByteBuffer.wrap(new byte[100]));
        ByteBuffer set = b.build(); // ~5 MB of small messages
        ApiException e = assertThrows(
                ApiException.class,
                () -> LegacyConverter.upConvert(
                        set, MAX_MESSAGE_BYTES, DecompressionBudget.forRequest(MAX_MESSAGE_BYTES)));
        assertEquals(Errors.MESSAGE_TOO_LARGE, e.error());
        // and a set within the limit converts
        LegacyMessageSetBuilder small = new LegacyMessageSetBuilder((byte) 1, CompressionType.GZIP, 4096);
        for (int i = 0; i < 100; i++) small.append(i, 1_700_000_000_000L, null, ByteBuffer.wrap(new byte[100]));
        ByteBuffer converted = LegacyConverter.upConvert(
                small.build(), MAX_MESSAGE_BYTES, DecompressionBudget.forRequest(MAX_MESSAGE_BYTES));
        assertEquals(100, RecordBatches.validateProduce(converted).recordCount());
    }

    /** A magic 0 gzip wrapper around one magic 0 message with a value of {@code zeros} zero bytes. */
    private static byte[] legacyGzipWrapper(long zeros) {
        // inner message: offset 0, size, crc, magic 0, attributes 0, key null, value of zeros
        ByteBuffer afterCrc =
                ByteBuffer.allocate(10).put((byte) 0).put((byte) 0).putInt(-1).putInt((int) zeros);
        CRC32 crc = new CRC32();
        crc.update(afterCrc.array());
        byte[] zero = new byte[MB];
        for (long i = 0; i < zeros / MB; i++) crc.update(zero);
        ByteBuffer head = ByteBuffer.allocate(12 + 4 + 10)
                .putLong(0)
                .putInt((int) (4 + 10 + zeros))
                .putInt((int) crc.getValue())
                .put(afterCrc.array());
        byte[] value = Bombs.gzip(head.array(), zeros, new byte[0]);
        // the wrapper: magic 0, attributes gzip, key null, the compressed inner message as value
        ByteBuffer wrapperAfterCrc = ByteBuffer.allocate(10 + value.length)
                .put((byte) 0)
                .put((byte) CompressionType.GZIP.id)
                .putInt(-1)
                .putInt(value.length)
                .put(value);
        CRC32 wrapperCrc = new CRC32();
        wrapperCrc.update(wrapperAfterCrc.array());
        return ByteBuffer.allocate(12 + 4 + wrapperAfterCrc.capacity())
                .putLong(0)
                .putInt(4 + wrapperAfterCrc.capacity())
                .putInt((int) wrapperCrc.getValue())
                .put(wrapperAfterCrc.array())
                .array();
    }
}
