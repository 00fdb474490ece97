package dev.skiff.broker.producer;

import dev.skiff.broker.ProducerStateTable;
import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Rebuilds a partition's producer state after a restart by reading only the 61-byte header of every batch
 * in its log (file logs are read header by header, never whole), so a retry that was acknowledged before the
 * restart is still recognised as a duplicate after it.
 */
public final class ProducerStateLoader {

    // Positions in a v2 batch header (see RecordBatch's layout).
    private static final int LENGTH = 8;
    private static final int MAGIC = 16;
    private static final int ATTRIBUTES = 21;
    private static final int LAST_OFFSET_DELTA = 23;
    private static final int MAX_TIMESTAMP = 35;
    private static final int PRODUCER_ID = 43;
    private static final int PRODUCER_EPOCH = 51;
    private static final int BASE_SEQUENCE = 53;
    private static final int HEADER_SIZE = 61;
    private static final int LOG_OVERHEAD = 12;
    private static final int CONTROL_FLAG = 0x20;
    /** Bytes asked of the log per read; a file slice is only looked at header by header. */
    private static final int CHUNK = 8 << 20;

    private ProducerStateLoader() {}

    public static ProducerStateTable load(Log log) {
        ProducerStateTable table = new ProducerStateTable();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogSlice slice;
            try {
                slice = log.read(offset, CHUNK, true);
            } catch (Log.OffsetOutOfRangeException e) {
                offset = log.logStartOffset(); // retention moved the start meanwhile
                continue;
            }
            if (slice.size() == 0) break;
            long next = slice.isFile() ? scanFile(slice, table) : scanBuffer(slice.buffer().duplicate(), table);
            if (next <= offset) break; // nothing whole was read: stop rather than spin
            offset = next;
        }
        return table;
    }

    private static long scanBuffer(ByteBuffer buf, ProducerStateTable table) {
        long next = -1;
        int pos = buf.position();
        while (buf.limit() - pos >= HEADER_SIZE) {
            ByteBuffer header = buf.duplicate();
            header.position(pos).limit(pos + HEADER_SIZE);
            long end = apply(header.slice(), table);
            if (end < 0) break;
            next = end;
            pos += LOG_OVERHEAD + header.getInt(pos + LENGTH);
        }
        return next;
    }

    private static long scanFile(LogSlice slice, ProducerStateTable table) {
        FileChannel ch = slice.channel();
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
        long pos = slice.position();
        long limit = slice.position() + slice.size();
        long next = -1;
        try {
            while (limit - pos >= HEADER_SIZE) {
                header.clear();
                while (header.hasRemaining()) {
                    if (ch.read(header, pos + header.position()) < 0) return next;
                }
                header.flip();
                long end = apply(header, table);
                if (end < 0) break;
                next = end;
                pos += LOG_OVERHEAD + header.getInt(LENGTH);
            }
        } catch (IOException e) {
            throw new LogStorageException("reading batch headers for producer state failed", e);
        }
        return next;
    }

    /** Applies one header (at index 0 of {@code h}); returns the offset after the batch, or -1 if not v2. */
    private static long apply(ByteBuffer h, ProducerStateTable table) {
        if (h.get(MAGIC) != 2) return -1;
        long baseOffset = h.getLong(0);
        long lastOffset = baseOffset + h.getInt(LAST_OFFSET_DELTA);
        long producerId = h.getLong(PRODUCER_ID);
        if (producerId >= 0) {
            short epoch = h.getShort(PRODUCER_EPOCH);
            long timestamp = h.getLong(MAX_TIMESTAMP);
            if ((h.getShort(ATTRIBUTES) & CONTROL_FLAG) != 0) {
                table.updateEpoch(producerId, epoch, lastOffset, timestamp);
            } else {
                int firstSeq = h.getInt(BASE_SEQUENCE);
                int lastSeq = firstSeq < 0 ? -1
                        : ProducerStateTable.lastSequence(firstSeq, h.getInt(LAST_OFFSET_DELTA) + 1);
                table.update(producerId, epoch, firstSeq, lastSeq, baseOffset, lastOffset, timestamp);
            }
        }
        return lastOffset + 1;
    }
}
