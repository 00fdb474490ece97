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
     * {@link #validate} plus the produce rules of Kafka's broker: exactly one batch, at least one record, and
     * record count equal to lastOffsetDelta + 1 (the producer assigns consecutive relative offsets).
     */
    public static ValidationResult validateProduce(ByteBuffer buffer) {
        ValidationResult result = validate(buffer);
        if (result.batchCount() != 1) {
            throw new InvalidRecordException("Produce requests must contain exactly one record batch, got " + result.batchCount());
        }
        BatchSummary b = result.batches().get(0);
        if (b.recordCount() <= 0 || b.recordCount() != b.lastOffsetDelta() + 1) {
            throw new InvalidRecordException("Batch has " + b.recordCount() + " records but lastOffsetDelta " + b.lastOffsetDelta());
        }
        return result;
    }

    /**
     * {@link #validate} and then decompress and decode every record: offsets strictly increasing within the batch
     * range, no bytes left over. With {@code requireKeys} (compacted topics) a record without key is invalid.
     */
    public static ValidationResult validateDeep(ByteBuffer buffer, boolean requireKeys) {
        ValidationResult result = validate(buffer);
        for (BatchSummary s : result.batches()) {
            RecordBatch batch = RecordBatch.wrap(buffer, s.position());
            long previous = batch.baseOffset() - 1;
            int seen = 0;
            try (RecordIterator it = batch.records()) {
                while (it.hasNext()) {
                    Record r = it.next();
                    seen++;
                    if (r.offset() <= previous || r.offset() > batch.lastOffset()) {
                        throw new InvalidRecordException("Record offset " + r.offset() + " is out of order or beyond the batch");
                    }
                    previous = r.offset();
                    if (requireKeys && !r.hasKey() && !batch.isControl()) {
                        throw new InvalidRecordException("Compacted topic cannot accept a record without a key");
                    }
                }
            }
            if (seen != batch.recordCount()) throw new CorruptRecordException("Batch declares " + batch.recordCount() + " records, has " + seen);
        }
        return result;
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
            throw new InvalidRecordException("Record count " + count + " does not fit lastOffsetDelta " + batch.lastOffsetDelta());
        }
        int recordsBytes = batch.sizeInBytes() - RecordBatch.HEADER_SIZE;
        if (batch.compressionType() == CompressionType.NONE && count > recordsBytes / (RecordDecoder.MIN_BODY_SIZE + 1)) {
            throw new CorruptRecordException("Record count " + count + " cannot fit in " + recordsBytes + " bytes");
        }
        if (batch.isControl() && !batch.isTransactional()) throw new InvalidRecordException("Control batch is not transactional");
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
                if (size < RecordBatch.HEADER_SIZE) throw new CorruptRecordException("Record batch size " + size + " is smaller than its header");
                return size <= left;
            }

            @Override
            public RecordBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                byte magic = buffer.get(pos + MAGIC_OFFSET);
                if (magic != RecordBatch.MAGIC) throw new CorruptRecordException("Record batch magic " + magic + " is not 2");
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
    public static long assignOffsets(ByteBuffer buffer, long firstOffset, int partitionLeaderEpoch, long logAppendTime) {
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
