package dev.skiff.broker;

import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.records.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks every batch of a log from its start, for state rebuilt at load (producer sequences, open
 * transactions). Segment files are read header by header, 61 bytes at a time; a visitor that needs a batch's
 * records (a transaction marker's type) asks for the whole batch, which is then read on its own.
 */
public final class BatchScanner {

    /** Bytes asked of the log per read; a file slice is only looked at header by header. */
    private static final int CHUNK = 8 << 20;

    /** Sees each batch: {@code header} has only the header accessors; {@code whole} reads the full batch. */
    public interface Visitor {
        void visit(RecordBatch header, WholeBatch whole);
    }

    /** The full batch behind a header, read on demand. */
    public interface WholeBatch {
        RecordBatch read();
    }

    private BatchScanner() {}

    public static void scan(Log log, Visitor visitor) {
        scan(log, log.logStartOffset(), visitor);
    }

    /**
     * Walks the batches from the one holding {@code from} (a batch boundary, such as a snapshot's offset) to
     * the log end; returns how many it visited.
     */
    public static long scan(Log log, long from, Visitor visitor) {
        long[] count = {0};
        Visitor counting = (header, whole) -> {
            count[0]++;
            visitor.visit(header, whole);
        };
        long offset = Math.max(from, log.logStartOffset());
        while (offset < log.logEndOffset()) {
            LogSlice slice;
            try {
                slice = log.read(offset, CHUNK, true);
            } catch (Log.OffsetOutOfRangeException e) {
                offset = log.logStartOffset(); // retention moved the start meanwhile
                continue;
            }
            if (slice.size() == 0) break;
            long next = slice.isFile()
                    ? scanFile(slice, counting)
                    : scanBuffer(slice.buffer().duplicate(), counting);
            if (next <= offset) break; // nothing whole was read: stop rather than spin
            offset = next;
        }
        return count[0];
    }

    private static long scanBuffer(ByteBuffer buf, Visitor visitor) {
        long next = -1;
        int pos = buf.position();
        RecordBatch header;
        while ((header = RecordBatch.header(buf, pos)) != null) {
            int size = header.declaredSize();
            if (size > buf.limit() - pos) break;
            int at = pos;
            visitor.visit(header, () -> RecordBatch.wrap(buf, at));
            next = header.nextOffset();
            pos += size;
        }
        return next;
    }

    private static long scanFile(LogSlice slice, Visitor visitor) {
        FileChannel ch = slice.channel();
        long pos = slice.position();
        long limit = slice.position() + slice.size();
        long next = -1;
        try {
            while (limit - pos >= RecordBatch.HEADER_SIZE) {
                ByteBuffer bytes = readAt(ch, ByteBuffer.allocate(RecordBatch.HEADER_SIZE), pos);
                RecordBatch header = RecordBatch.header(bytes, 0);
                if (header == null) break;
                int size = header.declaredSize();
                if (size > limit - pos) break;
                long at = pos;
                visitor.visit(header, () -> {
                    try {
                        return RecordBatch.wrap(readAt(ch, ByteBuffer.allocate(size), at), 0);
                    } catch (IOException e) {
                        throw new LogStorageException("reading a batch of " + slice + " failed", e);
                    }
                });
                next = header.nextOffset();
                pos += size;
            }
        } catch (IOException e) {
            throw new LogStorageException("reading batch headers failed", e);
        }
        return next;
    }

    private static ByteBuffer readAt(FileChannel ch, ByteBuffer into, long pos) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, pos + into.position()) < 0) throw new IOException("unexpected end of segment");
        }
        return into.flip();
    }
}
