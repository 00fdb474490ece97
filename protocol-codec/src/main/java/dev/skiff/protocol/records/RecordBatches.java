package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Validation and iteration of back-to-back record batches v2 in one buffer. */
public final class RecordBatches {
    /** Magic 0/1 messages and v2 batches keep their magic byte at the same place. */
    static final int MAGIC_OFFSET = 16;

    private RecordBatches() {}

    /**
     * The magic byte of the first batch or message at the buffer's position, or {@code -1} if the buffer is too
     * short to tell. The broker uses it to choose between {@link #validate} and the legacy path.
     */
    public static byte magic(ByteBuffer buffer) {
        if (buffer.remaining() <= MAGIC_OFFSET) return -1;
        return buffer.get(buffer.position() + MAGIC_OFFSET);
    }

    /**
     * Strictly checks every batch from position to limit (the buffer is not moved): size at least the header and
     * within the buffer, magic 2, CRC32C, known codec, sane count and offset range. Records are not decoded.
     *
     * @throws CorruptRecordException for bad sizes, magic or CRC (CORRUPT_MESSAGE)
     * @throws InvalidRecordException for a bad codec, record count or offset range (INVALID_RECORD)
     */
    public static ValidationResult validate(ByteBuffer buffer) {
        List<BatchSummary> batches = new ArrayList<>(1);
        int pos = buffer.position();
        int records = 0;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        while (pos < buffer.limit()) {
            RecordBatch batch = checkedBatch(buffer, pos);
            batches.add(BatchSummary.of(batch, pos));
            records += batch.recordCount();
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            pos += batch.sizeInBytes();
        }
        long first = batches.isEmpty() ? -1 : batches.get(0).baseOffset();
        long last = batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
        return new ValidationResult(List.copyOf(batches), records, first, last, maxTimestamp, pos - buffer.position());
    }

    /**
     * {@link #validate} plus the produce rules of Kafka's broker, every record read; see
     * {@link #validateProduce(ByteBuffer, boolean, DecompressionBudget)}. Compressed records may inflate to
     * {@link DecompressionBudget#forRequest} of Kafka's default {@code message.max.bytes}.
     */
    public static ValidationResult validateProduce(ByteBuffer buffer) {
        return validateProduce(buffer, false, defaultBudget());
    }

    /**
     * {@link #validate} plus the produce rules of Kafka's broker: exactly one batch, no control batch (only the
     * broker writes those), at least one record, record count equal to lastOffsetDelta + 1 (the producer assigns
     * consecutive relative offsets), and then every record read as Kafka reads it: lengths, varints, key, value
     * and header sizes, offset deltas in order, exactly the declared number of records. Keys, values and headers
     * are skipped, not kept, so memory stays constant however far compressed records inflate. The result's
     * summaries carry the record timestamps for {@link BatchSummary#checkTimestamps}.
     *
     * @param requireKeys compacted topics: a record without a key is INVALID_RECORD
     * @param budget      decompressed bytes the request may still read; charged here
     * @throws CorruptRecordException for unreadable batches or records (CORRUPT_MESSAGE)
     * @throws InvalidRecordException for rule violations (INVALID_RECORD)
     * @throws dev.skiff.protocol.ApiException RECORD_LIST_TOO_LARGE when compressed records claim more than the budget
     */
    public static ValidationResult validateProduce(ByteBuffer buffer, boolean requireKeys, DecompressionBudget budget) {
        ValidationResult result = validate(buffer);
        checkProduceShape(result);
        return withRecordsRead(buffer, result, requireKeys, null, budget);
    }

    private static void checkProduceShape(ValidationResult result) {
        if (result.batchCount() != 1) {
            throw new InvalidRecordException(
                    "Produce requests must contain exactly one record batch, got " + result.batchCount());
        }
        BatchSummary b = result.batches().get(0);
        if (b.control()) throw new InvalidRecordException("Clients are not allowed to write control records");
        if (b.recordCount() <= 0 || b.recordCount() != b.lastOffsetDelta() + 1) {
            throw new InvalidRecordException(
                    "Batch has " + b.recordCount() + " records but lastOffsetDelta " + b.lastOffsetDelta());
        }
    }

    /**
     * {@link #validateProduce(ByteBuffer, boolean, DecompressionBudget)} without the key rule, every record read
     * shown to {@code visitor}, which applies the per-record rules (and may throw).
     */
    public static ValidationResult validateProduce(
            ByteBuffer buffer, RecordVisitor visitor, DecompressionBudget budget) {
        ValidationResult result = validate(buffer);
        checkProduceShape(result);
        return withRecordsRead(buffer, result, false, visitor, budget);
    }

    /** {@link #validateDeep(ByteBuffer, boolean, DecompressionBudget)} with every record shown to {@code visitor}. */
    public static ValidationResult validateDeep(ByteBuffer buffer, RecordVisitor visitor, DecompressionBudget budget) {
        return withRecordsRead(buffer, validate(buffer), false, visitor, budget);
    }

    /**
     * {@link #validate} and then every record of every batch read (see {@link #validateProduce}): offsets
     * strictly increasing within the batch range, the declared count, no bytes left over. With
     * {@code requireKeys} (compacted topics) a record without key is invalid; control batches are allowed.
     */
    public static ValidationResult validateDeep(ByteBuffer buffer, boolean requireKeys, DecompressionBudget budget) {
        return withRecordsRead(buffer, validate(buffer), requireKeys, null, budget);
    }

    /** {@link #validateDeep(ByteBuffer, boolean, DecompressionBudget)} with the default budget. */
    public static ValidationResult validateDeep(ByteBuffer buffer, boolean requireKeys) {
        return validateDeep(buffer, requireKeys, defaultBudget());
    }

    private static DecompressionBudget defaultBudget() {
        return DecompressionBudget.forRequest(RecordBatches.KAFKA_DEFAULT_MESSAGE_MAX_BYTES);
    }

    /** Kafka's default {@code message.max.bytes}. */
    public static final int KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1024 * 1024 + 12;

    private static ValidationResult withRecordsRead(
            ByteBuffer buffer,
            ValidationResult shallow,
            boolean requireKeys,
            RecordVisitor visitor,
            DecompressionBudget budget) {
        List<BatchSummary> read = new ArrayList<>(shallow.batchCount());
        for (BatchSummary s : shallow.batches()) {
            read.add(RecordScanner.scan(RecordBatch.wrap(buffer, s.position()), s, requireKeys, visitor, budget));
        }
        return new ValidationResult(
                List.copyOf(read),
                shallow.recordCount(),
                shallow.firstOffset(),
                shallow.lastOffset(),
                shallow.maxTimestamp(),
                shallow.sizeInBytes());
    }

    private static RecordBatch checkedBatch(ByteBuffer buffer, int pos) {
        int left = buffer.limit() - pos;
        if (left < RecordBatch.HEADER_SIZE) {
            throw new CorruptRecordException(left + " trailing bytes are too few for a record batch header");
        }
        byte magic = buffer.get(pos + MAGIC_OFFSET);
        if (magic != RecordBatch.MAGIC) throw new CorruptRecordException("Record batch magic " + magic + " is not 2");
        RecordBatch batch = RecordBatch.wrap(buffer, pos);
        batch.ensureValid();
        checkHeader(batch);
        return batch;
    }

    /** Header rules beyond the CRC; see Kafka's LogValidator and DefaultRecordBatch. */
    static void checkHeader(RecordBatch batch) {
        int attributes = batch.attributes();
        CompressionType.forId(attributes & CompressionType.ATTRIBUTE_MASK);
        int count = batch.recordCount();
        if (count < 0) throw new InvalidRecordException("Negative record count " + count);
        if (batch.lastOffsetDelta() < 0 || count > (long) batch.lastOffsetDelta() + 1) {
            throw new InvalidRecordException(
                    "Record count " + count + " does not fit lastOffsetDelta " + batch.lastOffsetDelta());
        }
        int recordsBytes = batch.sizeInBytes() - RecordBatch.HEADER_SIZE;
        if (batch.compressionType() == CompressionType.NONE
                && count > recordsBytes / (RecordDecoder.MIN_BODY_SIZE + 1)) {
            throw new CorruptRecordException("Record count " + count + " cannot fit in " + recordsBytes + " bytes");
        }
        if (batch.isControl() && !batch.isTransactional())
            throw new InvalidRecordException("Control batch is not transactional");
    }

    /**
     * The complete batches from position to limit, stopping silently at a torn trailing batch as a fetch
     * response may end with one. Batch headers are checked for size only; call {@link RecordBatch#ensureValid}
     * if the bytes are untrusted. A non-v2 magic raises {@link CorruptRecordException}.
     */
    public static Iterable<RecordBatch> batches(ByteBuffer buffer) {
        return () -> new Iterator<>() {
            private int pos = buffer.position();

            @Override
            public boolean hasNext() {
                int left = buffer.limit() - pos;
                if (left < RecordBatch.HEADER_SIZE) return false;
                int size = RecordBatch.sizeAt(buffer, pos);
                if (size < RecordBatch.HEADER_SIZE)
                    throw new CorruptRecordException("Record batch size " + size + " is smaller than its header");
                return size <= left;
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                byte magic = buffer.get(pos + MAGIC_OFFSET);
                if (magic != RecordBatch.MAGIC)
                    throw new CorruptRecordException("Record batch magic " + magic + " is not 2");
                RecordBatch b = RecordBatch.wrap(buffer, pos);
                pos += b.sizeInBytes();
                return b;
            }
        };
    }

    /**
     * Produce path, after validation: writes consecutive base offsets from {@code firstOffset} and the leader
     * epoch into every batch, and stamps the append time when the topic uses LogAppendTime
     * ({@code logAppendTime >= 0}; pass {@link RecordBatch#NO_TIMESTAMP} otherwise).
     *
     * @return the offset after the last record: the log end offset once appended
     */
    public static long assignOffsets(
            ByteBuffer buffer, long firstOffset, int partitionLeaderEpoch, long logAppendTime) {
        long next = firstOffset;
        int pos = buffer.position();
        while (pos < buffer.limit()) {
            RecordBatch batch = RecordBatch.wrap(buffer, pos);
            batch.setBaseOffset(next);
            batch.setPartitionLeaderEpoch(partitionLeaderEpoch);
            if (logAppendTime >= 0) batch.setLogAppendTime(logAppendTime);
            next = batch.nextOffset();
            pos += batch.sizeInBytes();
        }
        return next;
    }

    /**
     * A {@link ByteBuffer} over a Netty buffer's readable bytes (e.g. a {@code BufferRecords}), sharing its
     * memory when it is a single region so in-place writes reach it; a composite buffer is copied, and then the
     * returned buffer, not the original, is what must be stored.
     */
    public static ByteBuffer nioView(io.netty.buffer.ByteBuf buf) {
        if (buf.nioBufferCount() == 1) return buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
        ByteBuffer copy = ByteBuffer.allocate(buf.readableBytes());
        buf.getBytes(buf.readerIndex(), copy);
        return copy.flip();
    }

    /** Bytes taken by the complete batches at the start of the buffer (excludes a torn trailing batch). */
    public static int validBytes(ByteBuffer buffer) {
        int bytes = 0;
        for (RecordBatch b : batches(buffer)) bytes += b.sizeInBytes();
        return bytes;
    }
}
