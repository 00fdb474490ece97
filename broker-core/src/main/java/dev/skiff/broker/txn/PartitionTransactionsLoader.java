package dev.skiff.broker.txn;

import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.records.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Rebuilds a partition's {@link PartitionTransactions} from its log: every batch header is read, and the
 * body only of transaction markers (one tiny record) to learn commit or abort. Nothing is kept on disk for
 * this (no .txnindex): the log is the record, read once when the partition is first asked.
 */
public final class PartitionTransactionsLoader {

    private static final int CHUNK = 8 << 20;
    private static final int LENGTH = 8, MAGIC = 16, ATTRIBUTES = 21, LAST_OFFSET_DELTA = 23, PRODUCER_ID = 43;
    private static final int TRANSACTIONAL = 0x10, CONTROL = 0x20;

    private PartitionTransactionsLoader() {}

    public static PartitionTransactions load(Log log) {
        long offset = log.logStartOffset();
        PartitionTransactions txns = new PartitionTransactions(log.logEndOffset());
        while (offset < log.logEndOffset()) {
            LogSlice slice;
            try {
                slice = log.read(offset, CHUNK, true);
            } catch (Log.OffsetOutOfRangeException e) {
                offset = log.logStartOffset(); // retention moved the start meanwhile
                continue;
            }
            if (slice.size() == 0) break;
            long next = slice.isFile() ? scanFile(slice, txns) : scanBuffer(slice.buffer().duplicate(), txns);
            if (next <= offset) break;
            offset = next;
        }
        return txns;
    }

    private static long scanBuffer(ByteBuffer buf, PartitionTransactions txns) {
        long next = -1;
        int pos = buf.position();
        while (buf.limit() - pos >= RecordBatch.HEADER_SIZE) {
            if (buf.get(pos + MAGIC) != RecordBatch.MAGIC) break;
            RecordBatch b = RecordBatch.wrap(buf, pos);
            txns.onBatch(b.producerId(), b.isTransactional(), b.isControl(), PartitionTransactions.controlType(b),
                    b.baseOffset(), b.lastOffset());
            next = b.nextOffset();
            pos += b.sizeInBytes();
        }
        return next;
    }

    private static long scanFile(LogSlice slice, PartitionTransactions txns) {
        FileChannel ch = slice.channel();
        ByteBuffer h = ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
        long pos = slice.position();
        long limit = slice.position() + slice.size();
        long next = -1;
        try {
            while (limit - pos >= RecordBatch.HEADER_SIZE) {
                readAt(ch, h.clear(), pos);
                if (h.get(MAGIC) != RecordBatch.MAGIC) break;
                int size = h.getInt(LENGTH) + RecordBatch.LOG_OVERHEAD;
                long base = h.getLong(0);
                long last = base + h.getInt(LAST_OFFSET_DELTA);
                short attributes = h.getShort(ATTRIBUTES);
                boolean transactional = (attributes & TRANSACTIONAL) != 0;
                boolean control = (attributes & CONTROL) != 0;
                short type = -1;
                if (control && transactional && size <= 4096 && pos + size <= limit) {
                    ByteBuffer whole = ByteBuffer.allocate(size);
                    readAt(ch, whole, pos);
                    type = PartitionTransactions.controlType(RecordBatch.wrap(whole, 0));
                }
                txns.onBatch(h.getLong(PRODUCER_ID), transactional, control, type, base, last);
                next = last + 1;
                pos += size;
            }
        } catch (IOException e) {
            throw new LogStorageException("reading batch headers for transactions failed", e);
        }
        return next;
    }

    private static void readAt(FileChannel ch, ByteBuffer into, long pos) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, pos + into.position()) < 0) throw new IOException("unexpected end of segment");
        }
        into.flip();
    }
}
