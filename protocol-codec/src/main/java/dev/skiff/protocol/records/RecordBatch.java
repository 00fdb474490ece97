package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A record batch v2 (magic 2) read and patched in place: a view of exactly one batch in a shared buffer,
 * never a copy. Layout (big endian):
 * <pre>
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64 |
 * producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 * </pre>
 * The CRC32C covers attributes to the end, so base offset and leader epoch can be rewritten without it.
 */
public final class RecordBatch {
    public static final byte MAGIC = 2;

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORDS_COUNT_OFFSET = 57;
    /** Size of the batch header; also the smallest possible batch. */
    public static final int HEADER_SIZE = 61;
    /** Offset and length fields, which {@code batchLength} does not count. */
    public static final int LOG_OVERHEAD = 12;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    static final int TRANSACTIONAL_FLAG = 0x10;
    static final int CONTROL_FLAG = 0x20;
    static final int DELETE_HORIZON_FLAG = 0x40;

    private final ByteBuffer buf; // exactly this batch, position 0

    private RecordBatch(ByteBuffer batch) {
        this.buf = batch;
    }

    /**
     * The batch that starts at {@code buffer}'s position. Checks only that its header and declared length fit;
     * {@link #ensureValid()} checks the rest. Writes through this view go to {@code buffer}'s memory.
     */
    public static RecordBatch wrap(ByteBuffer buffer) {
        return wrap(buffer, buffer.position());
    }

    public static RecordBatch wrap(ByteBuffer buffer, int position) {
        int available = buffer.limit() - position;
        if (available < HEADER_SIZE) {
            throw new CorruptRecordException(
                    "Record batch header needs " + HEADER_SIZE + " bytes, " + available + " left");
        }
        int size = sizeAt(buffer, position);
        if (size < HEADER_SIZE)
            throw new CorruptRecordException("Record batch size " + size + " is smaller than its header");
        if (size > available)
            throw new CorruptRecordException("Record batch size " + size + " exceeds the " + available + " bytes left");
        return new RecordBatch(buffer.slice(position, size));
    }

    /**
     * A view of only the 61-byte header at {@code position}, for scans that read headers without bodies: the
     * header accessors work, {@link #records()} and validation do not. Null when the bytes there are no v2
     * header (too short, or another magic).
     */
    public static RecordBatch header(ByteBuffer buffer, int position) {
        if (buffer.limit() - position < HEADER_SIZE || buffer.get(position + MAGIC_OFFSET) != MAGIC) return null;
        if (sizeAt(buffer, position) < HEADER_SIZE) return null;
        return new RecordBatch(buffer.slice(position, HEADER_SIZE));
    }

    /** Total size of the batch as its header declares it (length field + 12), also for a header-only view. */
    public int declaredSize() {
        return sizeAt(buf, 0);
    }

    /** Total size of the batch starting at {@code position} (length field + 12); may be garbage for bad input. */
    static int sizeAt(ByteBuffer buffer, int position) {
        return (int) Math.min(Integer.MAX_VALUE, (long) buffer.getInt(position + LENGTH_OFFSET) + LOG_OVERHEAD);
    }

    /** This batch's bytes (a view, position 0, limit = size). */
    public ByteBuffer buffer() {
        return buf.duplicate();
    }

    public int sizeInBytes() {
        return buf.limit();
    }

    public long baseOffset() {
        return buf.getLong(BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buf.getInt(LENGTH_OFFSET);
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buf.get(MAGIC_OFFSET);
    }
    /** The stored CRC32C, unsigned. */
    public long crc() {
        return buf.getInt(CRC_OFFSET) & 0xFFFFFFFFL;
    }

    public short attributes() {
        return buf.getShort(ATTRIBUTES_OFFSET);
    }

    public int lastOffsetDelta() {
        return buf.getInt(LAST_OFFSET_DELTA_OFFSET);
    }

    public long baseTimestamp() {
        return buf.getLong(BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buf.getShort(PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(BASE_SEQUENCE_OFFSET);
    }

    public int recordCount() {
        return buf.getInt(RECORDS_COUNT_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    /** Sequence number of the last record, wrapping at {@code Integer.MAX_VALUE} like Kafka. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) return NO_SEQUENCE;
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public CompressionType compressionType() {
        return CompressionType.forId(attributes() & CompressionType.ATTRIBUTE_MASK);
    }

    public TimestampType timestampType() {
        return TimestampType.fromAttributes(attributes());
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG) != 0;
    }

    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_FLAG) != 0;
    }

    public boolean hasProducerId() {
        return producerId() > NO_PRODUCER_ID;
    }

    /** The CRC32C of attributes..end as it is now. */
    public long computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(ATTRIBUTES_OFFSET));
        return crc.getValue();
    }

    public boolean isValid() {
        return magic() == MAGIC && crc() == computeCrc();
    }

    /** Checks magic and CRC; {@link RecordBatches#validate} also checks the header fields. */
    public void ensureValid() {
        if (magic() != MAGIC) throw new CorruptRecordException("Record batch magic " + magic() + " is not 2");
        long stored = crc();
        long computed = computeCrc();
        if (stored != computed) {
            throw new CorruptRecordException("Record batch CRC " + stored + " does not match the computed " + computed);
        }
    }

    /** Assigns offsets on append; outside the CRC, so nothing else changes. */
    public void setBaseOffset(long baseOffset) {
        buf.putLong(BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Outside the CRC. */
    public void setPartitionLeaderEpoch(int epoch) {
        buf.putInt(PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Stamps the batch with the broker's append time (topics with {@code message.timestamp.type=LogAppendTime}):
     * sets the timestamp type bit and max timestamp and recomputes the CRC. Record timestamps then read as
     * {@code timestamp}, as in Kafka.
     */
    public void setLogAppendTime(long timestamp) {
        if (timestampType() == TimestampType.LOG_APPEND_TIME && maxTimestamp() == timestamp) return;
        buf.putShort(ATTRIBUTES_OFFSET, (short) (attributes() | TimestampType.ATTRIBUTE_MASK));
        buf.putLong(MAX_TIMESTAMP_OFFSET, timestamp);
        writeCrc();
    }

    /** Sets the max timestamp and type (CREATE_TIME or LOG_APPEND_TIME) and recomputes the CRC. */
    public void setMaxTimestamp(TimestampType type, long maxTimestamp) {
        if (type == TimestampType.LOG_APPEND_TIME) {
            setLogAppendTime(maxTimestamp);
            return;
        }
        buf.putShort(ATTRIBUTES_OFFSET, (short) (attributes() & ~TimestampType.ATTRIBUTE_MASK));
        buf.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
        writeCrc();
    }

    void writeCrc() {
        buf.putInt(CRC_OFFSET, (int) computeCrc());
    }

    /** The bytes after the header: the records, compressed or not. */
    ByteBuffer recordsSection() {
        return buf.slice(HEADER_SIZE, buf.limit() - HEADER_SIZE);
    }

    /**
     * Iterates the records, decompressing as it goes. Close the iterator when not reading to the end.
     * Malformed records raise {@link CorruptRecordException}.
     */
    public RecordIterator records() {
        return new RecordIterator(this);
    }

    /** All records, for tests and small batches. */
    public List<Record> readRecords() {
        List<Record> out = new ArrayList<>(Math.max(0, Math.min(recordCount(), 1024)));
        try (RecordIterator it = records()) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffsetDelta=" + lastOffsetDelta() + ", count="
                + recordCount()
                + ", size=" + sizeInBytes() + ", compression=" + (attributes() & 7) + ", producerId=" + producerId()
                + ", producerEpoch=" + producerEpoch() + ", baseSequence=" + baseSequence() + ")";
    }
}
