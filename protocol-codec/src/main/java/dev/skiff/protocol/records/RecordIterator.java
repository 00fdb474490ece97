package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Walks the records of one v2 batch. Uncompressed batches are decoded in place (keys and values are views of
 * the batch); compressed ones are read from a codec stream one record at a time. Every decoding failure,
 * including codec errors, surfaces as {@link CorruptRecordException}.
 */
public final class RecordIterator implements Iterator<Record>, AutoCloseable {
    /** Largest single decompressed record accepted; guards against decompression bombs. */
    public static final int MAX_DECOMPRESSED_RECORD_SIZE = 256 * 1024 * 1024;

    private final long baseOffset;
    private final long baseTimestamp;
    private final Long logAppendTime;
    private final CompressionType compression;
    private final int count;
    private final ByteBuffer records; // uncompressed: the records section
    private InputStream stream; // compressed: the codec stream
    private int read;

    RecordIterator(RecordBatch batch) {
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : null;
        this.count = batch.recordCount();
        if (count < 0) throw new InvalidRecordException("Negative record count " + count);
        this.compression = batch.compressionType();
        ByteBuffer section = batch.recordsSection();
        if (compression == CompressionType.NONE) {
            if (count > section.remaining() / (RecordDecoder.MIN_BODY_SIZE + 1)) {
                throw new CorruptRecordException(
                        "Record count " + count + " cannot fit in " + section.remaining() + " bytes");
            }
            this.records = section;
        } else {
            this.records = null;
            this.stream = count == 0 ? null : Compression.wrapForInput(compression, section);
        }
    }

    @Override
    public boolean hasNext() {
        if (read < count) return true;
        finish();
        return false;
    }

    @Override
    public Record next() {
        if (!hasNext()) throw new NoSuchElementException();
        Record r = records != null ? nextInPlace() : nextFromStream();
        read++;
        return r;
    }

    private Record nextInPlace() {
        int len = Varints.readVarint(records);
        checkLength(len, records.remaining());
        return RecordDecoder.decodeBody(records, records.position() + len, baseOffset, baseTimestamp, logAppendTime);
    }

    private Record nextFromStream() {
        try {
            Integer len = Varints.readVarintOrEnd(stream);
            if (len == null)
                throw new CorruptRecordException("Compressed batch ends after " + read + " of " + count + " records");
            checkLength(len, MAX_DECOMPRESSED_RECORD_SIZE);
            byte[] body = stream.readNBytes(len); // grows with the data actually present, not with len
            if (body.length < len) throw new CorruptRecordException("Compressed batch ends inside a record");
            return RecordDecoder.decodeBody(ByteBuffer.wrap(body), len, baseOffset, baseTimestamp, logAppendTime);
        } catch (CorruptRecordException | InvalidRecordException e) {
            closeQuietly();
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw new CorruptRecordException("Malformed " + compression.configName + " data: " + e.getMessage(), e);
        }
    }

    private static void checkLength(int len, int max) {
        if (len < RecordDecoder.MIN_BODY_SIZE || len > max) {
            throw new CorruptRecordException("Invalid record length " + len);
        }
    }

    /** After the last record: nothing may be left over. */
    private void finish() {
        if (records != null) {
            if (records.hasRemaining()) {
                throw new CorruptRecordException(records.remaining() + " bytes follow the last record of the batch");
            }
            return;
        }
        if (stream == null) return;
        try {
            if (stream.read() >= 0)
                throw new CorruptRecordException("Compressed data follows the last record of the batch");
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptRecordException) throw (CorruptRecordException) e;
            throw new CorruptRecordException("Malformed " + compression.configName + " data: " + e.getMessage(), e);
        } finally {
            closeQuietly();
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (stream == null) return;
        try {
            stream.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to recover
        }
        stream = null;
    }
}
