package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.config.BrokerConfig;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.LegacyConverter;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The data path without sockets: append (rules, idempotence, transactions), read, offset lookup, expiry. */
class PartitionsTest {

    private static final long NOW = 1_700_000_000_000L;

    private final AtomicLong clock = new AtomicLong(NOW);
    private final AtomicReference<Errors> txnAnswer = new AtomicReference<>(Errors.NONE);
    private final BrokerConfig config = BrokerConfig.of(Map.of("producer.id.expiration.ms", "60000"));
    private final TopicManager topics = new TopicManager(config, LogFactory.memory());
    private final Partitions partitions =
            new Partitions(topics, (id, epoch, tp) -> txnAnswer.get(), config, clock::get);
    private final Topic topic = topics.create("t", 1, Map.of());
    private final Partition p = topic.partition(0);

    @AfterEach
    void close() {
        topics.close();
    }

    // ------------------------------------------------------------------ append

    @Test
    void appendsGetConsecutiveOffsets() {
        assertEquals(0, append(plain(NOW, 3)).baseOffset());
        assertEquals(3, append(plain(NOW, 2)).baseOffset());
        assertEquals(5, p.highWatermark());
        assertEquals(-1, append(plain(NOW, 1)).logAppendTimeMs()); // CreateTime topic
    }

    @Test
    void logAppendTimeTopicsStampTheBatch() {
        Topic stamped = topics.create("stamped", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        Partitions.AppendResult r = partitions.appendRecords(
                stamped, stamped.partition(0), plain(5L, 1), (short) 1, AppendOrigin.CLIENT, false);
        assertEquals(NOW, r.logAppendTimeMs());
        assertEquals(
                NOW,
                stamped.partition(0)
                        .fetchOffsetForTimestamp(Partition.MAX_TIMESTAMP, IsolationLevel.READ_UNCOMMITTED)
                        .timestamp());
    }

    @Test
    void aRetriedIdempotentBatchIsAcknowledgedWithItsFirstOffsetAndNotAppendedTwice() {
        assertEquals(0, append(idempotent(7, 0, 0, 3)).baseOffset());
        assertEquals(0, append(idempotent(7, 0, 0, 3)).baseOffset());
        assertEquals(3, p.highWatermark());
        assertEquals(3, append(idempotent(7, 0, 3, 1)).baseOffset());
        assertEquals(4, p.highWatermark());
    }

    @Test
    void sequencesOutOfOrderAndOldEpochsAreRefused() {
        append(idempotent(7, 1, 0, 3));
        assertError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> append(idempotent(7, 1, 5, 1)));
        assertError(Errors.INVALID_PRODUCER_EPOCH, () -> append(idempotent(7, 0, 3, 1)));
        assertError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> append(idempotent(7, 2, 1, 1))); // new epoch starts at 0
        assertEquals(3, p.highWatermark());
    }

    @Test
    void aTransactionalBatchNeedsItsTransactionToHoldThePartition() {
        txnAnswer.set(Errors.INVALID_TXN_STATE);
        assertError(Errors.INVALID_TXN_STATE, () -> append(transactional(3, 0, 1)));
        assertEquals(0, p.highWatermark());
        txnAnswer.set(Errors.NONE);
        assertEquals(0, append(transactional(3, 0, 1)).baseOffset());
    }

    // ------------------------------------------------------------------ record rules

    @Test
    void clientsMayNotWriteControlBatchesButCoordinatorsMay() {
        ByteBuffer marker = RecordBatchBuilder.endTxnMarker(0, NOW, 3, (short) 0, 0, false, 0);
        assertError(Errors.INVALID_RECORD, () -> append(BufferRecords.of(marker.duplicate())));
        assertEquals(0, p.highWatermark());
        partitions.appendRecords(topic, p, BufferRecords.of(marker), (short) 1, AppendOrigin.COORDINATOR, false);
        assertEquals(1, p.highWatermark());
    }

    @Test
    void createTimeOutsideTheTopicsBoundsIsAnInvalidTimestamp() {
        // Kafka 4 defaults: any time in the past, at most an hour ahead
        append(plain(0L, 1));
        append(plain(NOW + 3_600_000L, 1));
        assertError(Errors.INVALID_TIMESTAMP, () -> append(plain(NOW + 3_600_001L, 1)));
        Topic strict = topics.create(
                "strict", 1, Map.of("message.timestamp.before.max.ms", "1000", "message.timestamp.after.max.ms", "0"));
        assertError(
                Errors.INVALID_TIMESTAMP,
                () -> partitions.appendRecords(
                        strict, strict.partition(0), plain(NOW - 1001, 1), (short) 1, AppendOrigin.CLIENT, false));
        assertError(
                Errors.INVALID_TIMESTAMP,
                () -> partitions.appendRecords(
                        strict, strict.partition(0), plain(NOW + 1, 1), (short) 1, AppendOrigin.CLIENT, false));
        partitions.appendRecords(
                strict, strict.partition(0), plain(NOW - 1000, 1), (short) 1, AppendOrigin.CLIENT, false);
        assertEquals(1, strict.partition(0).highWatermark());
        assertEquals(2, p.highWatermark());
    }

    @Test
    void recordsWithoutKeysOnACompactedTopicAreNamedOneByOne() {
        Topic compacted = topics.create("c", 1, Map.of("cleanup.policy", "compact"));
        for (CompressionType codec : new CompressionType[] {CompressionType.NONE, CompressionType.GZIP}) {
            RecordBatchBuilder b = new RecordBatchBuilder(codec);
            byte[] v = "v".getBytes(StandardCharsets.UTF_8);
            b.append(NOW, "k".getBytes(StandardCharsets.UTF_8), v);
            b.append(NOW, null, v);
            b.append(NOW, "k".getBytes(StandardCharsets.UTF_8), v);
            b.append(NOW, null, v);
            RecordValidationException e = assertThrows(
                    RecordValidationException.class,
                    () -> partitions.appendRecords(
                            compacted,
                            compacted.partition(0),
                            BufferRecords.of(b.build()),
                            (short) 1,
                            AppendOrigin.CLIENT,
                            false));
            String why = "Compacted topic cannot accept message without key in topic partition c-0";
            assertEquals(Errors.INVALID_RECORD, e.error());
            assertEquals(
                    java.util.List.of(
                            new RecordValidationException.RecordError(1, why),
                            new RecordValidationException.RecordError(3, why)),
                    e.recordErrors());
            assertEquals(
                    "One or more records have been rejected due to 2 record errors in total, and only showing the"
                            + " first three errors at most: [RecordError(batchIndex=1, message='" + why
                            + "'), RecordError(batchIndex=3, message='" + why + "')]",
                    e.getMessage());
        }
        assertEquals(0, compacted.partition(0).highWatermark());
    }

    @Test
    void timestampsOutOfTheWindowAreNamedOneByOneAsInvalidTimestamps() {
        Topic strict = topics.create(
                "strict", 1, Map.of("message.timestamp.before.max.ms", "1000", "message.timestamp.after.max.ms", "0"));
        RecordValidationException e = assertThrows(
                RecordValidationException.class,
                () -> partitions.appendRecords(
                        strict,
                        strict.partition(0),
                        batch(null, NOW, NOW - 1001, NOW, NOW + 1),
                        (short) 1,
                        AppendOrigin.CLIENT,
                        false));
        assertEquals(Errors.INVALID_TIMESTAMP, e.error());
        assertEquals("One or more records have been rejected due to invalid timestamp", e.getMessage());
        assertEquals(2, e.recordErrors().size());
        assertEquals(1, e.recordErrors().get(0).batchIndex());
        assertEquals(
                "Timestamp " + (NOW - 1001) + " of message with offset 1 is out of range. The timestamp should be"
                        + " within [" + (NOW - 1000) + ", " + NOW + "]",
                e.recordErrors().get(0).message());
        assertEquals(3, e.recordErrors().get(1).batchIndex());
    }

    @Test
    void aProducerMayNotSetLogAppendTimeOnALogAppendTimeTopic() {
        Topic stamped = topics.create("stamped2", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE).logAppendTime(NOW);
        b.append(NOW, null, new byte[3]);
        RecordValidationException e = assertThrows(
                RecordValidationException.class,
                () -> partitions.appendRecords(
                        stamped,
                        stamped.partition(0),
                        BufferRecords.of(b.build()),
                        (short) 1,
                        AppendOrigin.CLIENT,
                        false));
        assertEquals(Errors.INVALID_TIMESTAMP, e.error());
        assertEquals(
                "Invalid timestamp type in message DefaultRecord(offset=0, timestamp=" + NOW
                        + ", key=0 bytes, value=3 bytes). Producer should not set timestamp type to LogAppendTime.",
                e.recordErrors().get(0).message());
    }

    @Test
    void manyBadRecordsKeepABoundedList() {
        Topic compacted = topics.create("many", 1, Map.of("cleanup.policy", "compact"));
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.GZIP);
        int n = LogValidator.MAX_RECORD_ERRORS + 5;
        for (int i = 0; i < n; i++) b.append(NOW, (byte[]) null, (byte[]) null);
        RecordValidationException e = assertThrows(
                RecordValidationException.class,
                () -> partitions.appendRecords(
                        compacted,
                        compacted.partition(0),
                        BufferRecords.of(b.build()),
                        (short) 1,
                        AppendOrigin.CLIENT,
                        false));
        assertEquals(LogValidator.MAX_RECORD_ERRORS, e.recordErrors().size());
        assertEquals(n, e.total());
        assertTrue(e.getMessage().contains("due to " + n + " record errors"), e.getMessage());
    }

    @Test
    void internalTopicsRefuseClientsButNotTheBroker() {
        Topic offsets = topics.getOrCreateInternal(InternalTopics.GROUP_METADATA, 1, Map.of());
        Partition op = offsets.partition(0);
        assertError(
                Errors.INVALID_TOPIC_EXCEPTION,
                () -> partitions.appendRecords(offsets, op, plain(NOW, 1), (short) -1, AppendOrigin.CLIENT, false));
        assertEquals(0, op.highWatermark());
        partitions.appendRecords(offsets, op, plain(NOW, 1), (short) -1, AppendOrigin.COORDINATOR, false);
        assertError(Errors.INVALID_TOPIC_EXCEPTION, () -> partitions.deleteRecords(op, -1));
        assertEquals(0, op.logStartOffset());
    }

    @Test
    void legacyMessageSetsOnlyBeforeProduceV3() {
        ByteBuffer legacy = LegacyConverter.downConvert(plainBuffer(NOW, 2), (byte) 1, 0, Integer.MAX_VALUE);
        assertError(Errors.INVALID_RECORD, () -> append(BufferRecords.of(legacy.duplicate())));
        Partitions.AppendResult r =
                partitions.appendRecords(topic, p, BufferRecords.of(legacy), (short) 1, AppendOrigin.CLIENT, true);
        assertEquals(0, r.baseOffset());
        assertEquals(2, p.highWatermark());
    }

    // ------------------------------------------------------------------ read

    @Test
    void readCommittedStopsAtTheOpenTransactionAndListsTheAbortedOnes() {
        append(transactional(3, 0, 2)); // offsets 0-1, open
        append(plain(NOW, 1)); // offset 2
        Partition.FetchDataInfo open =
                p.fetchRecords(0, 1 << 20, true, IsolationLevel.READ_COMMITTED, RecordBatch.MAGIC);
        assertEquals(0, open.records().sizeInBytes());
        assertEquals(0, open.lastStableOffset());
        assertEquals(3, open.highWatermark());
        p.append(RecordBatchBuilder.endTxnMarker(3, NOW, 3, (short) 0, 0, false, 0)); // the coordinator aborts
        Partition.FetchDataInfo done =
                p.fetchRecords(0, 1 << 20, true, IsolationLevel.READ_COMMITTED, RecordBatch.MAGIC);
        assertEquals(4, done.lastStableOffset());
        assertEquals(1, done.abortedTransactions().size());
        AbortedTxn aborted = done.abortedTransactions().get(0);
        assertEquals(3, aborted.producerId());
        assertEquals(0, aborted.firstOffset());
        assertEquals(3, batches(done.records()));
        Partition.FetchDataInfo all =
                p.fetchRecords(0, 1 << 20, true, IsolationLevel.READ_UNCOMMITTED, RecordBatch.MAGIC);
        assertNull(all.abortedTransactions());
        assertEquals(done.records().sizeInBytes(), all.records().sizeInBytes());
    }

    @Test
    void oldFetchVersionsGetMessageSetsOfTheirMagic() {
        append(plain(NOW, 2));
        for (byte magic : new byte[] {0, 1}) {
            RecordsData r = p.fetchRecords(0, 1 << 20, true, IsolationLevel.READ_UNCOMMITTED, magic)
                    .records();
            ByteBuffer bytes = nio(r);
            assertEquals(magic, bytes.get(bytes.position() + 16)); // offset, size, crc, then magic
            assertEquals(
                    2, RecordBatches.validate(LegacyConverter.upConvert(bytes)).recordCount());
        }
    }

    @Test
    void readingOutsideTheLogIsOffsetOutOfRange() {
        append(plain(NOW, 1));
        assertError(
                Errors.OFFSET_OUT_OF_RANGE,
                () -> p.fetchRecords(5, 100, true, IsolationLevel.READ_UNCOMMITTED, RecordBatch.MAGIC));
        assertError(
                Errors.OFFSET_OUT_OF_RANGE,
                () -> p.fetchRecords(5, 100, true, IsolationLevel.READ_COMMITTED, RecordBatch.MAGIC));
        assertEquals(Long.MAX_VALUE, p.bytesAvailable(5, 100, IsolationLevel.READ_UNCOMMITTED));
        assertEquals(0, p.bytesAvailable(1, 100, IsolationLevel.READ_UNCOMMITTED));
        assertTrue(p.bytesAvailable(0, 100, IsolationLevel.READ_UNCOMMITTED) > 0);
    }

    @Test
    void enoughAvailableAnswersAsTheBytesAvailableWouldWithoutReading() {
        append(plain(NOW, 2)); // offsets 0-1
        append(transactional(9, 0, 2)); // offsets 2-3, open: the last stable offset stays at 2
        for (IsolationLevel isolation : IsolationLevel.values()) {
            for (long offset = -1; offset <= 6; offset++) {
                for (int minBytes : new int[] {-1, 0, 1, 2, 1 << 20}) {
                    var at = java.util.List.of(new Partitions.FetchPosition(p, offset, 100));
                    assertEquals(
                            minBytes <= 0 || partitions.bytesAvailable(at, 100, isolation) >= minBytes,
                            partitions.enoughAvailable(at, 100, isolation, minBytes),
                            isolation + " from " + offset + " for " + minBytes + " bytes");
                }
            }
        }
        var unknown = java.util.List.of(new Partitions.FetchPosition(null, 0, 100));
        assertEquals(false, partitions.enoughAvailable(unknown, 100, IsolationLevel.READ_UNCOMMITTED, 1));
    }

    // ------------------------------------------------------------------ offsets

    @Test
    void offsetsByTimeEarliestLatestAndMax() {
        append(plain(NOW - 3000, 1)); // offset 0
        append(batch(null, NOW - 2000, NOW - 1000, NOW - 1500)); // offsets 1-3, max at 2
        assertOffset(0, NOW - 3000, NOW - 5000);
        assertOffset(2, NOW - 1000, NOW - 1200); // inside the batch: the first record at or after
        assertOffset(1, NOW - 2000, NOW - 2000);
        assertOffset(-1, -1, NOW);
        assertOffset(2, NOW - 1000, Partition.MAX_TIMESTAMP);
        assertOffset(0, -1, Partition.EARLIEST_TIMESTAMP);
        assertOffset(4, -1, Partition.LATEST_TIMESTAMP);
        assertError(Errors.INVALID_REQUEST, () -> p.fetchOffsetForTimestamp(-7, IsolationLevel.READ_UNCOMMITTED));
        append(transactional(5, 0, 1)); // offset 4, open
        assertEquals(
                5,
                p.fetchOffsetForTimestamp(Partition.LATEST_TIMESTAMP, IsolationLevel.READ_UNCOMMITTED)
                        .offset());
        assertEquals(
                4,
                p.fetchOffsetForTimestamp(Partition.LATEST_TIMESTAMP, IsolationLevel.READ_COMMITTED)
                        .offset());
    }

    // ------------------------------------------------------------------ producer expiry

    @Test
    void idleProducersExpireAndMayThenStartAnywhere() {
        append(idempotent(9, 0, 0, 3));
        assertError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> append(idempotent(9, 0, 10, 1, NOW)));
        clock.addAndGet(59_999);
        assertEquals(0, partitions.expireProducers());
        clock.addAndGet(2);
        assertEquals(1, partitions.expireProducers());
        // Kafka 4 treats a producer it does not know as new: any sequence is taken (no UNKNOWN_PRODUCER_ID)
        assertEquals(3, append(idempotent(9, 0, 10, 1, clock.get())).baseOffset());
        assertEquals(4, p.highWatermark());
    }

    @Test
    void aProducerWithAnOpenTransactionDoesNotExpire() {
        append(transactional(4, 0, 1));
        clock.addAndGet(120_000);
        assertEquals(0, partitions.expireProducers());
        assertError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> append(transactional(4, 5, 1)));
    }

    // ------------------------------------------------------------------ helpers

    private Partitions.AppendResult append(RecordsData records) {
        return partitions.appendRecords(topic, p, records, (short) -1, AppendOrigin.CLIENT, false);
    }

    private void assertOffset(long offset, long timestamp, long wanted) {
        Log.TimestampOffset found = p.fetchOffsetForTimestamp(wanted, IsolationLevel.READ_UNCOMMITTED);
        assertEquals(offset, found.offset(), "offset for " + wanted);
        assertEquals(timestamp, found.timestamp(), "timestamp for " + wanted);
    }

    private static void assertError(Errors expected, Runnable action) {
        ApiException e = assertThrows(ApiException.class, action::run);
        assertEquals(expected, e.error(), e.getMessage());
    }

    private static ByteBuffer plainBuffer(long timestamp, int n) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE);
        for (int i = 0; i < n; i++) b.append(timestamp, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        return b.build();
    }

    private static RecordsData plain(long timestamp, int n) {
        return BufferRecords.of(plainBuffer(timestamp, n));
    }

    private static RecordsData batch(RecordBatchBuilder b, long... timestamps) {
        RecordBatchBuilder builder = b != null ? b : new RecordBatchBuilder(CompressionType.NONE);
        for (long t : timestamps) builder.append(t, null, "x".getBytes(StandardCharsets.UTF_8));
        return BufferRecords.of(builder.build());
    }

    private static RecordsData idempotent(long producerId, int epoch, int seq, int n) {
        return idempotent(producerId, epoch, seq, n, NOW);
    }

    private static RecordsData idempotent(long producerId, int epoch, int seq, int n, long timestamp) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE).producer(producerId, (short) epoch, seq);
        long[] ts = new long[n];
        java.util.Arrays.fill(ts, timestamp);
        return batch(b, ts);
    }

    private static RecordsData transactional(long producerId, int seq, int n) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE)
                .producer(producerId, (short) 0, seq)
                .transactional(true);
        long[] ts = new long[n];
        java.util.Arrays.fill(ts, NOW);
        return batch(b, ts);
    }

    private static ByteBuffer nio(RecordsData r) {
        return RecordBatches.nioView(((BufferRecords) r).buf());
    }

    private static int batches(RecordsData r) {
        int n = 0;
        for (RecordBatch ignored : RecordBatches.batches(nio(r))) n++;
        return n;
    }
}
