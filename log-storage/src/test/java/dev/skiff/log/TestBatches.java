package dev.skiff.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Builds real record batches v2 (uncompressed, CRC32C set) and takes read slices apart again. */
final class TestBatches {
    private TestBatches() {}

    /** A batch of {@code records} records with values of {@code valueSize} bytes, timestamps from {@code baseTimestamp}, 1 ms apart. */
    static ByteBuffer batch(int records, long baseTimestamp, int valueSize) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < records; i++) {
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            r.write(0);                          // attributes
            varlong(r, i);                       // timestamp delta
            varlong(r, i);                       // offset delta
            byte[] key = ("k" + i).getBytes();
            varlong(r, key.length);
            r.writeBytes(key);
            varlong(r, valueSize);
            for (int v = 0; v < valueSize; v++) r.write((byte) (i + v));
            varlong(r, 0);                       // headers
            varlong(body, r.size());
            body.writeBytes(r.toByteArray());
        }
        byte[] recordBytes = body.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(BatchHeader.SIZE + recordBytes.length);
        b.putLong(0L);                           // base offset: the log assigns it
        b.putInt(b.capacity() - BatchHeader.LOG_OVERHEAD);
        b.putInt(0);                             // partition leader epoch
        b.put((byte) 2);
        b.putInt(0);                             // crc, below
        b.putShort((short) 0);                   // attributes
        b.putInt(records - 1);
        b.putLong(baseTimestamp);
        b.putLong(baseTimestamp + records - 1);
        b.putLong(-1L).putShort((short) -1).putInt(-1);
        b.putInt(records);
        b.put(recordBytes);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), BatchHeader.ATTRIBUTES, b.capacity() - BatchHeader.ATTRIBUTES);
        b.putInt(BatchHeader.CRC, (int) crc.getValue());
        return b.flip();
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) n += p.remaining();
        ByteBuffer out = ByteBuffer.allocate(n);
        for (ByteBuffer p : parts) out.put(p.duplicate());
        return out.flip();
    }

    private static void varlong(ByteArrayOutputStream out, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) { out.write((int) ((z & 0x7F) | 0x80)); z >>>= 7; }
        out.write((int) z);
    }

    /** What a read returned, batch by batch. */
    record Read(long baseOffset, long lastOffset, long maxTimestamp, int size, boolean crcOk) {}

    /** Splits a slice into batches, failing on anything that is not a whole, valid batch. */
    static List<Read> batches(LogSlice slice) {
        ByteBuffer b = slice.readFully();
        List<Read> out = new ArrayList<>();
        int at = b.position();
        while (at < b.limit()) {
            String problem = BatchHeader.check(b, at, b.limit() - at, true);
            if (problem != null) throw new AssertionError("bad batch at " + at + " of " + b.limit() + ": " + problem);
            int size = BatchHeader.totalSize(b, at);
            out.add(new Read(BatchHeader.baseOffset(b, at), BatchHeader.baseOffset(b, at) + BatchHeader.lastOffsetDelta(b, at),
                    BatchHeader.maxTimestamp(b, at), size, true));
            at += size;
        }
        return out;
    }
}
