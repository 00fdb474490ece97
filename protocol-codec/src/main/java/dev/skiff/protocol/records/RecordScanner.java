package dev.skiff.protocol.records;

import dev.skiff.protocol.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads every record of one v2 batch the way Kafka's broker does on produce (lengths, varints, key and value
 * sizes, header counts, offset deltas, the record count against the header), keeping nothing: keys, values and
 * headers are skipped, so a compressed batch is checked in constant memory however far it inflates. The sizes
 * a record declares are checked against what is left (the batch for uncompressed data, the request's
 * {@link DecompressionBudget} for compressed data) before any byte of it is read.
 */
final class RecordScanner {
    /** Header key and value lengths: two one-byte varints at least. */
    private static final int MIN_HEADER_SIZE = 2;

    private final RecordBatch batch;
    private final boolean requireKeys;
    private final DecompressionBudget budget;
    private final RecordVisitor visitor;
    private BatchSummary summary;
    private Input in;
    private int left; // bytes left in the record being read
    private long minTimestamp = RecordBatch.NO_TIMESTAMP;
    private long maxTimestamp = RecordBatch.NO_TIMESTAMP;

    private RecordScanner(RecordBatch batch, boolean requireKeys, RecordVisitor visitor, DecompressionBudget budget) {
        this.batch = batch;
        this.visitor = visitor;
        this.requireKeys = requireKeys && !batch.isControl();
        this.budget = budget;
    }

    /**
     * Checks the batch's records and returns its summary with the record timestamps filled in.
     *
     * @throws CorruptRecordException for records that cannot be read (CORRUPT_MESSAGE)
     * @throws InvalidRecordException for offsets out of order or a missing key where one is required
     * @throws ApiException RECORD_LIST_TOO_LARGE when compressed records claim more than the budget
     */
    static BatchSummary scan(
            RecordBatch batch,
            BatchSummary summary,
            boolean requireKeys,
            RecordVisitor visitor,
            DecompressionBudget budget) {
        RecordScanner s = new RecordScanner(batch, requireKeys, visitor, budget);
        s.summary = summary;
        s.run();
        return summary.withRecordTimestamps(s.minTimestamp, s.maxTimestamp);
    }

    private void run() {
        ByteBuffer section = batch.recordsSection();
        CompressionType compression = batch.compressionType();
        int count = batch.recordCount();
        if (compression == CompressionType.NONE) {
            new Uncompressed(section).scan(count);
            return;
        }
        if (count == 0) return; // Kafka writes no stream for an empty batch
        in = new StreamInput(Compression.wrapForInput(compression, section));
        try {
            int previousDelta = -1;
            for (int i = 0; i < count; i++) {
                previousDelta = readRecord(i, count, previousDelta);
            }
            if (in.read() >= 0) {
                throw new CorruptRecordException("Data follows the last of the batch's " + count + " records");
            }
        } catch (CorruptRecordException | InvalidRecordException | ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptRecordException("Malformed " + compression.configName + " data: " + e.getMessage(), e);
        } finally {
            in.close();
        }
    }

    /** Reads record {@code index}; returns its offset delta. */
    private int readRecord(int index, int count, int previousDelta) throws IOException {
        int length = readLengthOrEnd();
        if (length == Integer.MIN_VALUE) {
            throw new CorruptRecordException("Batch declares " + count + " records, has " + index);
        }
        if (length < RecordDecoder.MIN_BODY_SIZE) throw new CorruptRecordException("Invalid record length " + length);
        in.reserve(length, budget);
        left = length;
        readByte(); // attributes: unused in v2
        long timestampDelta = readVarlong();
        int offsetDelta = readVarint();
        if (offsetDelta <= previousDelta || offsetDelta > batch.lastOffsetDelta()) {
            throw new InvalidRecordException("Record offset delta " + offsetDelta
                    + " is out of order or beyond the batch's last " + batch.lastOffsetDelta());
        }
        int keyLength = readVarint();
        if (keyLength == -1 && requireKeys) {
            throw new InvalidRecordException("Compacted topic cannot accept a record without a key");
        }
        skipBytes(keyLength, true, "key");
        int valueLength = readVarint();
        skipBytes(valueLength, true, "value");
        int headers = readVarint();
        if (headers < 0 || headers > left / MIN_HEADER_SIZE)
            throw new CorruptRecordException("Invalid header count " + headers);
        for (int h = 0; h < headers; h++) {
            skipBytes(readVarint(), false, "header key");
            skipBytes(readVarint(), true, "header value");
        }
        if (left != 0) throw new CorruptRecordException("Record has " + left + " bytes beyond its fields");
        noteTimestamp(batch.baseTimestamp() + timestampDelta);
        if (visitor != null) {
            visitor.record(
                    summary,
                    index,
                    batch.baseOffset() + offsetDelta,
                    batch.baseTimestamp() + timestampDelta,
                    keyLength,
                    valueLength);
        }
        return offsetDelta;
    }

    private void noteTimestamp(long timestamp) {
        if (timestamp == RecordBatch.NO_TIMESTAMP) return;
        minTimestamp = minTimestamp == RecordBatch.NO_TIMESTAMP ? timestamp : Math.min(minTimestamp, timestamp);
        maxTimestamp = maxTimestamp == RecordBatch.NO_TIMESTAMP ? timestamp : Math.max(maxTimestamp, timestamp);
    }

    /** A record's length varint, or {@code Integer.MIN_VALUE} at a clean end of data. */
    private int readLengthOrEnd() throws IOException {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                if (shift == 0) return Integer.MIN_VALUE;
                throw new CorruptRecordException("Truncated record length");
            }
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varint is longer than 5 bytes");
    }

    private int readByte() throws IOException {
        if (left <= 0) throw new CorruptRecordException("Record ends inside its fields");
        int b = in.read();
        if (b < 0) throw new CorruptRecordException("Records end inside a record");
        left--;
        return b;
    }

    private int readVarint() throws IOException {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readByte();
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varint is longer than 5 bytes");
    }

    private long readVarlong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readByte();
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varlong is longer than 10 bytes");
    }

    private void skipBytes(int length, boolean nullable, String what) throws IOException {
        if (length == -1 && nullable) return;
        if (length < 0 || length > left) throw new CorruptRecordException("Invalid " + what + " length " + length);
        in.skip(length);
        left -= length;
    }

    /** The records section, as stored or decompressed. */
    private abstract static class Input {
        /** The next byte, or -1 at the end. */
        abstract int read() throws IOException;

        /** Skips exactly {@code n} bytes that a record declared. */
        abstract void skip(int n) throws IOException;

        /** A record declared {@code length} bytes: they must be there (or within the budget) before reading. */
        abstract void reserve(int length, DecompressionBudget budget);

        void close() {}
    }

    /**
     * The checks of {@link #readRecord} over stored records, read in place: the records section is in memory,
     * so every length is checked against the bytes there and reads go by index, with the one-byte varints that
     * small records are made of decoded inline. Same checks, same errors, no per-byte stream calls.
     */
    private final class Uncompressed {
        private final ByteBuffer buf;
        private final int end;
        private int p; // the next byte to read
        private int limit; // the end of the record being read, or of the section between records

        Uncompressed(ByteBuffer section) {
            this.buf = section;
            this.p = section.position();
            this.end = section.limit();
        }

        void scan(int count) {
            int lastDelta = batch.lastOffsetDelta();
            long baseTimestamp = batch.baseTimestamp();
            long baseOffset = batch.baseOffset();
            int previousDelta = -1;
            for (int i = 0; i < count; i++) {
                if (p >= end) throw new CorruptRecordException("Batch declares " + count + " records, has " + i);
                int length = recordLength();
                if (length < RecordDecoder.MIN_BODY_SIZE) {
                    throw new CorruptRecordException("Invalid record length " + length);
                }
                if (length > end - p) {
                    throw new CorruptRecordException(
                            "Record length " + length + " exceeds the " + (end - p) + " bytes left");
                }
                limit = p + length;
                p++; // attributes: unused in v2; the record holds at least MIN_BODY_SIZE bytes
                long timestampDelta = varlong();
                int offsetDelta = varint();
                if (offsetDelta <= previousDelta || offsetDelta > lastDelta) {
                    throw new InvalidRecordException("Record offset delta " + offsetDelta
                            + " is out of order or beyond the batch's last " + lastDelta);
                }
                int keyLength = varint();
                if (keyLength == -1 && requireKeys) {
                    throw new InvalidRecordException("Compacted topic cannot accept a record without a key");
                }
                skip(keyLength, true, "key");
                int valueLength = varint();
                skip(valueLength, true, "value");
                int headers = varint();
                if (headers != 0) headers(headers);
                if (p != limit)
                    throw new CorruptRecordException("Record has " + (limit - p) + " bytes beyond its fields");
                long timestamp = baseTimestamp + timestampDelta;
                noteTimestamp(timestamp);
                if (visitor != null) {
                    visitor.record(summary, i, baseOffset + offsetDelta, timestamp, keyLength, valueLength);
                }
                previousDelta = offsetDelta;
            }
            if (p < end) {
                throw new CorruptRecordException("Data follows the last of the batch's " + count + " records");
            }
        }

        private void headers(int headers) {
            if (headers < 0 || headers > (limit - p) / MIN_HEADER_SIZE) {
                throw new CorruptRecordException("Invalid header count " + headers);
            }
            for (int h = 0; h < headers; h++) {
                skip(varint(), false, "header key");
                skip(varint(), true, "header value");
            }
        }

        private void skip(int length, boolean nullable, String what) {
            if (length == -1 && nullable) return;
            if (length < 0 || length > limit - p) {
                throw new CorruptRecordException("Invalid " + what + " length " + length);
            }
            p += length;
        }

        /** A record's length varint; some byte of it is there. */
        private int recordLength() {
            int raw = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (p >= end) throw new CorruptRecordException("Truncated record length");
                int b = buf.get(p++);
                raw |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
            }
            throw new CorruptRecordException("Varint is longer than 5 bytes");
        }

        private int varint() {
            if (p < limit) {
                int b = buf.get(p);
                if (b >= 0) { // one byte, the common case
                    p++;
                    return (b >>> 1) ^ -(b & 1);
                }
            }
            return longVarint();
        }

        private int longVarint() {
            int raw = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (p >= limit) throw new CorruptRecordException("Record ends inside its fields");
                int b = buf.get(p++);
                raw |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
            }
            throw new CorruptRecordException("Varint is longer than 5 bytes");
        }

        private long varlong() {
            long raw = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                if (p >= limit) throw new CorruptRecordException("Record ends inside its fields");
                long b = buf.get(p++);
                raw |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
            }
            throw new CorruptRecordException("Varlong is longer than 10 bytes");
        }
    }

    private static final class StreamInput extends Input {
        private final InputStream stream;
        private byte[] scratch;

        StreamInput(InputStream stream) {
            this.stream = stream;
        }

        @Override
        int read() throws IOException {
            return stream.read();
        }

        @Override
        void skip(int n) throws IOException {
            if (n == 0) return;
            if (scratch == null) scratch = new byte[8 * 1024];
            while (n > 0) {
                int got = stream.read(scratch, 0, Math.min(n, scratch.length));
                if (got < 0) throw new CorruptRecordException("Compressed records end inside a record");
                n -= got;
            }
        }

        @Override
        void reserve(int length, DecompressionBudget budget) {
            budget.charge(length);
        }

        @Override
        void close() {
            try {
                stream.close();
            } catch (IOException | RuntimeException ignored) {
                // nothing to recover
            }
        }
    }
}
