package dev.skiff.broker.txn;

import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.records.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Cuts a log slice at the last stable offset for read_committed fetches: only whole batches that start below
 * it are kept (a transaction's first batch is where the LSO stops, so no batch straddles it). Also says where
 * the kept data ends, which bounds the aborted transactions the answer must list.
 */
public record StableSlice(LogSlice slice, long nextOffset) {

    private static final int LENGTH = 8, LAST_OFFSET_DELTA = 23;

    public static StableSlice cut(LogSlice slice, long stableOffset) {
        if (slice.size() == 0) return new StableSlice(slice, -1);
        return slice.isFile() ? cutFile(slice, stableOffset) : cutBuffer(slice, stableOffset);
    }

    private static StableSlice cutBuffer(LogSlice slice, long stable) {
        ByteBuffer buf = slice.buffer();
        int start = buf.position();
        int pos = start;
        long next = -1;
        while (buf.limit() - pos >= RecordBatch.HEADER_SIZE) {
            long base = buf.getLong(pos);
            if (base >= stable) break;
            next = base + buf.getInt(pos + LAST_OFFSET_DELTA) + 1;
            pos += buf.getInt(pos + LENGTH) + RecordBatch.LOG_OVERHEAD;
        }
        ByteBuffer kept = buf.duplicate()
                .limit(Math.min(pos, buf.limit()))
                .position(start)
                .slice();
        return new StableSlice(LogSlice.ofBuffer(kept), next);
    }

    private static StableSlice cutFile(LogSlice slice, long stable) {
        ByteBuffer h = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        long pos = slice.position();
        long limit = pos + slice.size();
        long next = -1;
        try {
            while (limit - pos >= RecordBatch.HEADER_SIZE) {
                h.clear();
                while (h.hasRemaining()) {
                    if (slice.channel().read(h, pos + h.position()) < 0)
                        throw new IOException("unexpected end of segment");
                }
                long base = h.getLong(0);
                if (base >= stable) break;
                next = base + h.getInt(LAST_OFFSET_DELTA) + 1;
                pos += h.getInt(LENGTH) + RecordBatch.LOG_OVERHEAD;
            }
        } catch (IOException e) {
            throw new LogStorageException("reading batch headers failed", e);
        }
        int size = (int) (Math.min(pos, limit) - slice.position());
        return new StableSlice(
                size == 0 ? LogSlice.EMPTY : LogSlice.ofFile(slice.channel(), slice.position(), size), next);
    }
}
