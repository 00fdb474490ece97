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
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[valueSize];
            for (int v = 0; v < valueSize; v++) value[v] = (byte) (i + v);
            recs.add(new Rec(i, "k" + i, value));
        }
        return build(0, baseTimestamp, records - 1, recs);
    }

    /** One record: its offset delta in the batch, key and value (null: a tombstone). */
    record Rec(int offsetDelta, String key, byte[] value) {}

    /** A batch of records with the given keys and values ("key", "value" pairs; a null value is a tombstone). */
    static ByteBuffer keyed(long timestamp, String... keyValues) {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            recs.add(new Rec(i / 2, keyValues[i], keyValues[i + 1] == null ? null : keyValues[i + 1].getBytes()));
        }
        return build(0, timestamp, recs.size() - 1, recs);
    }

    static ByteBuffer build(long baseOffset, long baseTimestamp, int lastOffsetDelta, List<Rec> recs) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Rec rec : recs) {
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            r.write(0); // attributes
            varlong(r, rec.offsetDelta()); // timestamp delta
            varlong(r, rec.offsetDelta());
            byte[] key = rec.key().getBytes();
            varlong(r, key.length);
            r.writeBytes(key);
            if (rec.value() == null) varlong(r, -1);
            else {
                varlong(r, rec.value().length);
                r.writeBytes(rec.value());
            }
            varlong(r, 0); // headers
            varlong(body, r.size());
            body.writeBytes(r.toByteArray());
        }
        byte[] recordBytes = body.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(BatchHeader.SIZE + recordBytes.length);
        b.putLong(baseOffset);
        b.putInt(b.capacity() - BatchHeader.LOG_OVERHEAD);
        b.putInt(0); // partition leader epoch
        b.put((byte) 2);
        b.putInt(0); // crc, below
        b.putShort((short) 0); // attributes
        b.putInt(lastOffsetDelta);
        b.putLong(baseTimestamp);
        b.putLong(baseTimestamp + lastOffsetDelta);
        b.putLong(-1L).putShort((short) -1).putInt(-1);
        b.putInt(recs.size());
        b.put(recordBytes);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), BatchHeader.ATTRIBUTES, b.capacity() - BatchHeader.ATTRIBUTES);
        b.putInt(BatchHeader.CRC, (int) crc.getValue());
        return b.flip();
    }

    /** The records of an uncompressed batch built here. */
    static List<Rec> records(ByteBuffer batch) {
        ByteBuffer b = batch.duplicate();
        int count = b.getInt(b.position() + BatchHeader.RECORD_COUNT);
        b.position(b.position() + BatchHeader.SIZE);
        List<Rec> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            readVarlong(b); // record length
            b.get();
            readVarlong(b);
            int delta = (int) readVarlong(b);
            byte[] key = new byte[(int) readVarlong(b)];
            b.get(key);
            int valueLength = (int) readVarlong(b);
            byte[] value = null;
            if (valueLength >= 0) {
                value = new byte[valueLength];
                b.get(value);
            }
            readVarlong(b);
            out.add(new Rec(delta, new String(key), value));
        }
        return out;
    }

    private static long readVarlong(ByteBuffer b) {
        long raw = 0;
        int shift = 0;
        byte x;
        do {
            x = b.get();
            raw |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        return (raw >>> 1) ^ -(raw & 1);
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
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
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
            out.add(new Read(
                    BatchHeader.baseOffset(b, at),
                    BatchHeader.baseOffset(b, at) + BatchHeader.lastOffsetDelta(b, at),
                    BatchHeader.maxTimestamp(b, at),
                    size,
                    true));
            at += size;
        }
        return out;
    }
}
