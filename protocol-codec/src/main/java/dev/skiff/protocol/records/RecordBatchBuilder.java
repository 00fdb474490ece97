package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds one record batch v2, compressed with any codec. Used for internal topics, control markers,
 * up-conversion and tests. Not thread safe; one batch per builder.
 * <pre>
 * ByteBuffer batch = new RecordBatchBuilder(CompressionType.LZ4).producer(pid, epoch, seq)
 *         .append(ts, key, value).append(ts, key, value, headers).build();
 * </pre>
 */
public final class RecordBatchBuilder {
    /** Control record type ids of the key of a transaction marker. */
    public static final short CONTROL_ABORT = 0;

    public static final short CONTROL_COMMIT = 1;

    private final CompressionType compression;
    private final ByteBufferOutputStream out;
    private final OutputStream records;
    private ByteBuffer scratch = ByteBuffer.allocate(256);

    private long baseOffset;
    private int partitionLeaderEpoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;
    private boolean transactional;
    private boolean control;
    private Long logAppendTime;

    private int count;
    private long lastOffset = -1;
    private long baseTimestamp;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private boolean built;

    public RecordBatchBuilder(CompressionType compression) {
        this(compression, 1024);
    }

    public RecordBatchBuilder(CompressionType compression, int expectedSize) {
        this.compression = compression;
        this.out = new ByteBufferOutputStream(RecordBatch.HEADER_SIZE + expectedSize);
        out.ensureRemaining(RecordBatch.HEADER_SIZE);
        out.buffer().position(RecordBatch.HEADER_SIZE); // header is filled in by build()
        this.records = Compression.wrapForOutput(compression, out, RecordBatch.MAGIC);
    }

    /** Offset of the first record; offsets of appended records follow it unless given explicitly. */
    public RecordBatchBuilder baseOffset(long baseOffset) {
        checkEmpty();
        this.baseOffset = baseOffset;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(int epoch) {
        this.partitionLeaderEpoch = epoch;
        return this;
    }

    /** Idempotent producer fields; base sequence of the first record. */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        this.transactional = transactional;
        return this;
    }

    /** Control batches (transaction markers) must also be transactional. */
    public RecordBatchBuilder control(boolean control) {
        this.control = control;
        return this;
    }

    /** Stamp every record with the broker's append time (LOG_APPEND_TIME); otherwise CREATE_TIME. */
    public RecordBatchBuilder logAppendTime(long timestamp) {
        checkEmpty();
        this.logAppendTime = timestamp;
        return this;
    }

    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, wrap(key), wrap(value), List.of());
    }

    public RecordBatchBuilder append(long timestamp, ByteBuffer key, ByteBuffer value) {
        return append(timestamp, key, value, List.of());
    }

    public RecordBatchBuilder append(long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        return appendWithOffset(count == 0 ? baseOffset : lastOffset + 1, timestamp, key, value, headers);
    }

    /** Appends with an explicit offset, which must be above the previous one (gaps are allowed). */
    public RecordBatchBuilder appendWithOffset(
            long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        if (built) throw new IllegalStateException("Batch already built");
        if (offset < baseOffset || (count > 0 && offset <= lastOffset)) {
            throw new IllegalArgumentException("Offset " + offset + " is not above the previous offset " + lastOffset);
        }
        if (offset - baseOffset > Integer.MAX_VALUE) throw new IllegalArgumentException("Offset delta too large");
        if (logAppendTime != null) timestamp = logAppendTime;
        if (count == 0) baseTimestamp = timestamp;
        writeRecord((int) (offset - baseOffset), timestamp - baseTimestamp, key, value, headers);
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        lastOffset = offset;
        count++;
        return this;
    }

    private void writeRecord(
            int offsetDelta, long timestampDelta, ByteBuffer key, ByteBuffer value, List<Header> headers) {
        int bodySize = 1
                + Varints.sizeOfVarlong(timestampDelta)
                + Varints.sizeOfVarint(offsetDelta)
                + sizeOfBytes(key)
                + sizeOfBytes(value)
                + Varints.sizeOfVarint(headers.size());
        byte[][] headerKeys = new byte[headers.size()][];
        for (int i = 0; i < headers.size(); i++) {
            headerKeys[i] = headers.get(i).keyBytes();
            bodySize += Varints.sizeOfVarint(headerKeys[i].length)
                    + headerKeys[i].length
                    + sizeOfBytes(headers.get(i).value());
        }
        int total = Varints.sizeOfVarint(bodySize) + bodySize;
        if (scratch.capacity() < total) scratch = ByteBuffer.allocate(Math.max(total, scratch.capacity() * 2));
        ByteBuffer b = scratch.clear();
        Varints.writeVarint(bodySize, b);
        b.put((byte) 0);
        Varints.writeVarlong(timestampDelta, b);
        Varints.writeVarint(offsetDelta, b);
        putBytes(key, b);
        putBytes(value, b);
        Varints.writeVarint(headers.size(), b);
        for (int i = 0; i < headerKeys.length; i++) {
            Varints.writeVarint(headerKeys[i].length, b);
            b.put(headerKeys[i]);
            putBytes(headers.get(i).value(), b);
        }
        try {
            records.write(b.array(), 0, b.position());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int sizeOfBytes(ByteBuffer b) {
        return b == null ? 1 : Varints.sizeOfVarint(b.remaining()) + b.remaining();
    }

    private static void putBytes(ByteBuffer src, ByteBuffer b) {
        if (src == null) {
            Varints.writeVarint(-1, b);
        } else {
            Varints.writeVarint(src.remaining(), b);
            b.put(src.duplicate());
        }
    }

    public int recordCount() {
        return count;
    }

    /**
     * Finishes the batch: closes the codec stream, writes the header and the CRC32C. A builder with no records
     * gives an empty buffer, as there is no empty v2 batch to write.
     */
    public ByteBuffer build() {
        if (built) throw new IllegalStateException("Batch already built");
        built = true;
        try {
            records.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (count == 0) return ByteBuffer.allocate(0);
        ByteBuffer batch = out.toBuffer();
        int attributes = compression.id
                | (logAppendTime != null ? TimestampType.ATTRIBUTE_MASK : 0)
                | (transactional ? RecordBatch.TRANSACTIONAL_FLAG : 0)
                | (control ? RecordBatch.CONTROL_FLAG : 0);
        batch.putLong(RecordBatch.BASE_OFFSET_OFFSET, baseOffset)
                .putInt(RecordBatch.LENGTH_OFFSET, batch.limit() - RecordBatch.LOG_OVERHEAD)
                .putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch)
                .put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC)
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) attributes)
                .putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, (int) (lastOffset - baseOffset))
                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp)
                .putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, logAppendTime != null ? logAppendTime : maxTimestamp)
                .putLong(RecordBatch.PRODUCER_ID_OFFSET, producerId)
                .putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, producerEpoch)
                .putInt(RecordBatch.BASE_SEQUENCE_OFFSET, baseSequence)
                .putInt(RecordBatch.RECORDS_COUNT_OFFSET, count);
        RecordBatch.wrap(batch).writeCrc();
        return batch;
    }

    /**
     * A transaction marker: a transactional control batch with one record whose key is (version 0, type) and
     * value (version 0, coordinator epoch).
     */
    public static ByteBuffer endTxnMarker(
            long offset,
            long timestamp,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            int partitionLeaderEpoch) {
        ByteBuffer key = ByteBuffer.allocate(4)
                .putShort((short) 0)
                .putShort(commit ? CONTROL_COMMIT : CONTROL_ABORT)
                .flip();
        ByteBuffer value = ByteBuffer.allocate(6)
                .putShort((short) 0)
                .putInt(coordinatorEpoch)
                .flip();
        return new RecordBatchBuilder(CompressionType.NONE, 64)
                .baseOffset(offset)
                .partitionLeaderEpoch(partitionLeaderEpoch)
                .producer(producerId, producerEpoch, RecordBatch.NO_SEQUENCE)
                .transactional(true)
                .control(true)
                .append(timestamp, key, value)
                .build();
    }

    /** The control type of a control record's key ({@link #CONTROL_ABORT}, {@link #CONTROL_COMMIT}, ...). */
    public static short controlType(Record controlRecord) {
        ByteBuffer key = controlRecord.key();
        if (key == null || key.remaining() < 4) throw new InvalidRecordException("Control record key is too short");
        return key.getShort(key.position() + 2);
    }

    private void checkEmpty() {
        if (count > 0) throw new IllegalStateException("Set this before appending records");
    }

    private static ByteBuffer wrap(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }
}
