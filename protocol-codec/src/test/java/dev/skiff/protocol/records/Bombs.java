package dev.skiff.protocol.records;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Crafted inputs for the decompression tests: gzip streams of gigabytes of zeros built in milliseconds (one
 * compressed megabyte of zeros, flushed so it stands alone, repeated), raw v2 batches around any records
 * section, and the bytes the current thread allocates.
 */
final class Bombs {
    private static final int MB = 1 << 20;
    private static byte[] zeroMegabyte;

    private Bombs() {}

    /** A gzip stream of {@code prefix}, {@code zeros} zero bytes (a whole number of MB) and {@code suffix}. */
    static byte[] gzip(byte[] prefix, long zeros, byte[] suffix) {
        if (zeros % MB != 0) throw new IllegalArgumentException("whole megabytes only");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}); // header, no flags
        out.writeBytes(deflate(prefix, false));
        byte[] mb = zeroMegabyte();
        for (long i = 0; i < zeros / MB; i++) out.writeBytes(mb);
        out.writeBytes(deflate(suffix, true));
        CRC32 crc = new CRC32();
        crc.update(prefix);
        byte[] zero = new byte[MB];
        for (long i = 0; i < zeros / MB; i++) crc.update(zero);
        crc.update(suffix);
        long size = prefix.length + zeros + suffix.length;
        out.writeBytes(intLE((int) crc.getValue()));
        out.writeBytes(intLE((int) size));
        return out.toByteArray();
    }

    private static synchronized byte[] zeroMegabyte() {
        if (zeroMegabyte == null) zeroMegabyte = deflate(new byte[MB], false);
        return zeroMegabyte;
    }

    /** Raw deflate of {@code data} on its own (full flush: no reference to anything before), final if asked. */
    private static byte[] deflate(byte[] data, boolean last) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        if (last) d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            int n = last ? d.deflate(buf) : d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
            out.write(buf, 0, n);
            if (last ? d.finished() : n < buf.length) break;
        }
        d.end();
        return out.toByteArray();
    }

    private static byte[] intLE(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** A v2 batch around a raw records section, with a valid CRC32C. */
    static ByteBuffer batch(
            CompressionType compression, int count, int lastOffsetDelta, long baseTimestamp, byte[] records) {
        ByteBuffer b = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + records.length);
        b.putLong(RecordBatch.BASE_OFFSET_OFFSET, 0)
                .putInt(RecordBatch.LENGTH_OFFSET, b.capacity() - RecordBatch.LOG_OVERHEAD)
                .putInt(RecordBatch.PARTITION_LEADER_EPOCH_OFFSET, -1)
                .put(RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC)
                .putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) compression.id)
                .putInt(RecordBatch.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta)
                .putLong(RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp)
                .putLong(RecordBatch.MAX_TIMESTAMP_OFFSET, baseTimestamp)
                .putLong(RecordBatch.PRODUCER_ID_OFFSET, -1)
                .putShort(RecordBatch.PRODUCER_EPOCH_OFFSET, (short) -1)
                .putInt(RecordBatch.BASE_SEQUENCE_OFFSET, -1)
                .putInt(RecordBatch.RECORDS_COUNT_OFFSET, count);
        b.put(RecordBatch.HEADER_SIZE, records);
        RecordBatch.wrap(b).writeCrc();
        return b;
    }

    /** The start of a v2 record up to its value's bytes: length, attributes, deltas, key "k", value length. */
    static byte[] recordHead(int offsetDelta, long valueLength) {
        ByteBuffer body = ByteBuffer.allocate(32);
        body.put((byte) 0);
        Varints.writeVarlong(0, body);
        Varints.writeVarint(offsetDelta, body);
        Varints.writeVarint(1, body);
        body.put((byte) 'k');
        Varints.writeVarint((int) valueLength, body);
        int headLength = body.position();
        long length = headLength + valueLength + 1; // + header count
        ByteBuffer out = ByteBuffer.allocate(40);
        Varints.writeVarint((int) length, out);
        out.put(body.array(), 0, headLength);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** The end of a record: no headers. */
    static final byte[] RECORD_TAIL = {0};

    static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
