package dev.skiff.protocol.records;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CorruptInputTest {
    static final long T0 = 1_700_000_000_000L;

    static ByteBuffer batch(CompressionType type) {
        RecordBatchBuilder b = new RecordBatchBuilder(type).producer(3, (short) 0, 0);
        for (int i = 0; i < 20; i++) {
            b.append(
                    T0 + i,
                    ByteBuffer.wrap(("k" + i).getBytes()),
                    ByteBuffer.wrap(("value " + i).repeat(i + 1).getBytes()),
                    KafkaOracle.skiffHeaders(i));
        }
        return b.build();
    }

    @Test
    void flippedCrcIsCorrupt() {
        ByteBuffer b = batch(CompressionType.NONE);
        b.put(RecordBatch.CRC_OFFSET, (byte) (b.get(RecordBatch.CRC_OFFSET) ^ 1));
        assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(b));
        ByteBuffer c = batch(CompressionType.NONE);
        c.put(200, (byte) (c.get(200) ^ 0x40)); // payload byte covered by the CRC
        assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(c));
    }

    @Test
    void badMagicIsCorrupt() {
        ByteBuffer b = batch(CompressionType.GZIP);
        b.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
        assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(b));
        b.put(RecordBatch.MAGIC_OFFSET, (byte) 3);
        assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(b));
        assertThrows(CorruptRecordException.class, () -> LegacyConverter.downConvert(b, (byte) 1, 0, 1000));
    }

    @Test
    void truncatedAndAbsurdLengthsAreCorrupt() {
        ByteBuffer b = batch(CompressionType.SNAPPY);
        assertThrows(
                CorruptRecordException.class,
                () -> RecordBatches.validate(b.duplicate().limit(b.limit() - 1)));
        assertThrows(
                CorruptRecordException.class,
                () -> RecordBatches.validate(b.duplicate().limit(30)));
        for (int length : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 48, b.limit()}) {
            ByteBuffer c = batch(CompressionType.SNAPPY);
            c.putInt(RecordBatch.LENGTH_OFFSET, length);
            assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(c), "length " + length);
        }
    }

    @Test
    void implausibleCountsAreRejected() {
        for (int count : new int[] {-1, Integer.MAX_VALUE, 21, 1_000}) {
            ByteBuffer c = batch(CompressionType.NONE);
            c.putInt(RecordBatch.RECORDS_COUNT_OFFSET, count);
            RecordBatch.wrap(c).writeCrc();
            RuntimeException e = assertThrows(RuntimeException.class, () -> RecordBatches.validateDeep(c, false));
            assertTrue(e instanceof InvalidRecordException || e instanceof CorruptRecordException, e.toString());
        }
        ByteBuffer fewer = batch(CompressionType.LZ4);
        fewer.putInt(RecordBatch.RECORDS_COUNT_OFFSET, 19);
        RecordBatch.wrap(fewer).writeCrc();
        RecordBatches.validate(fewer);
        assertThrows(InvalidRecordException.class, () -> RecordBatches.validateProduce(fewer));
        assertThrows(
                CorruptRecordException.class,
                () -> RecordBatches.validateDeep(fewer, false),
                "data left after the count");
    }

    @Test
    void produceRulesAndKeysForCompactedTopics() {
        ByteBuffer two = KafkaOracle.concat(batch(CompressionType.NONE), batch(CompressionType.NONE));
        assertEquals(2, RecordBatches.validate(two).batchCount());
        assertThrows(InvalidRecordException.class, () -> RecordBatches.validateProduce(two));
        ByteBuffer noKey = new RecordBatchBuilder(CompressionType.NONE)
                .append(T0, null, "v".getBytes())
                .build();
        RecordBatches.validateDeep(noKey, false);
        assertThrows(InvalidRecordException.class, () -> RecordBatches.validateDeep(noKey, true));
    }

    @Test
    void tornTrailingBatchInAFetchSizedBuffer() {
        ByteBuffer a = batch(CompressionType.NONE);
        ByteBuffer b = batch(CompressionType.ZSTD);
        ByteBuffer both = KafkaOracle.concat(a, b);
        for (int cut : new int[] {1, 20, RecordBatch.HEADER_SIZE, b.limit() - 1}) {
            ByteBuffer torn = both.duplicate().limit(a.limit() + cut);
            assertEquals(a.limit(), RecordBatches.validBytes(torn));
            int n = 0;
            for (RecordBatch batch : RecordBatches.batches(torn)) {
                batch.ensureValid();
                n++;
            }
            assertEquals(1, n);
            assertThrows(CorruptRecordException.class, () -> RecordBatches.validate(torn));
        }
    }

    @Test
    void legacyCorruptionIsDetected() {
        LegacyMessageSetBuilder lb = new LegacyMessageSetBuilder((byte) 1, CompressionType.NONE, 64);
        lb.append(0, T0, null, ByteBuffer.wrap("abc".getBytes()));
        ByteBuffer set = lb.build();
        ByteBuffer crc = copy(set);
        crc.put(crc.limit() - 1, (byte) 'x');
        assertThrows(CorruptRecordException.class, () -> LegacyMessageSet.read(crc));
        ByteBuffer magic = copy(set);
        magic.put(16, (byte) 7);
        assertThrows(CorruptRecordException.class, () -> LegacyMessageSet.read(magic));
        ByteBuffer small = copy(set);
        small.putInt(8, 3);
        assertThrows(CorruptRecordException.class, () -> LegacyMessageSet.read(small));
        ByteBuffer huge = copy(set);
        huge.putInt(8, Integer.MAX_VALUE);
        assertEquals(0, LegacyMessageSet.read(huge).messages().size(), "looks like a partial message");
        assertThrows(
                CorruptRecordException.class,
                () -> LegacyConverter.upConvert(huge),
                "but a produce of nothing else is corrupt");
        assertEquals(0, LegacyConverter.upConvert(ByteBuffer.allocate(0)).remaining());
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void randomDamageOnlyRaisesRecordExceptions(CompressionType type) {
        ByteBuffer good = batch(type);
        Random random = new Random(type.ordinal() * 7919L);
        for (int round = 0; round < 1500; round++) {
            ByteBuffer bad = copy(good);
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(bad.limit());
                bad.put(at, (byte) random.nextInt(256));
            }
            if (random.nextBoolean()) bad.limit(random.nextInt(bad.limit() + 1));
            // re-sign half of them so the damage reaches the record decoder, not just the CRC check
            if (round % 2 == 0 && bad.limit() >= RecordBatch.HEADER_SIZE) {
                int size = RecordBatch.sizeAt(bad, 0);
                if (size >= RecordBatch.HEADER_SIZE && size <= bad.limit())
                    RecordBatch.wrap(bad).writeCrc();
            }
            expectOnlyRecordExceptions(() -> RecordBatches.validateDeep(bad, true));
            expectOnlyRecordExceptions(() -> LegacyConverter.downConvert(bad, (byte) 1, 0, 1 << 20));
            expectOnlyRecordExceptions(() -> KafkaOracle.skiffRecords(bad));
        }
    }

    @Test
    void randomDamageToLegacySetsOnlyRaisesRecordExceptions() {
        for (CompressionType type : new CompressionType[] {
            CompressionType.NONE, CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4
        }) {
            for (byte magic = 0; magic <= 1; magic++) {
                LegacyMessageSetBuilder lb = new LegacyMessageSetBuilder(magic, type, 256);
                for (int i = 0; i < 10; i++)
                    lb.append(
                            i,
                            T0 + i,
                            ByteBuffer.wrap(("k" + i).getBytes()),
                            ByteBuffer.wrap(("v" + i).repeat(i).getBytes()));
                ByteBuffer good = lb.build();
                Random random = new Random(magic * 31 + type.ordinal());
                for (int round = 0; round < 500; round++) {
                    ByteBuffer bad = copy(good);
                    bad.put(random.nextInt(bad.limit()), (byte) random.nextInt(256));
                    if (random.nextInt(4) == 0) bad.limit(random.nextInt(bad.limit() + 1));
                    expectOnlyRecordExceptions(() -> LegacyConverter.upConvert(bad));
                }
            }
        }
    }

    private static void expectOnlyRecordExceptions(Runnable r) {
        try {
            r.run();
        } catch (CorruptRecordException | InvalidRecordException | dev.skiff.protocol.ApiException expected) {
            // the only acceptable failures
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate());
        return c.flip();
    }
}
