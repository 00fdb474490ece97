package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Writes the LZ4 frame format the way Kafka's producers do: 64 KiB independent blocks, no block or content
 * checksum, no content size. Blocks that do not shrink are stored raw (high bit of the size set).
 */
final class Lz4FrameOutputStream extends OutputStream {
    static final int MAGIC = 0x184D2204;
    static final int BLOCK_SIZE = 64 * 1024;
    /** Version 01, independent blocks. */
    static final int FLG = 0x60;
    /** Block size id 4 (64 KiB). */
    static final int BD = 0x40;

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();

    private final OutputStream out;
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] compressed = new byte[COMPRESSOR.maxCompressedLength(BLOCK_SIZE)];
    private int pos;
    private boolean closed;

    /**
     * @param brokenHeaderChecksum hash magic+FLG+BD for the header checksum as Kafka clients did for magic 0
     *                             messages, instead of FLG+BD as the LZ4 spec says
     */
    Lz4FrameOutputStream(OutputStream out, boolean brokenHeaderChecksum) throws IOException {
        this.out = out;
        byte[] header = new byte[7];
        writeIntLE(header, 0, MAGIC);
        header[4] = (byte) FLG;
        header[5] = (byte) BD;
        int from = brokenHeaderChecksum ? 0 : 4;
        header[6] = (byte) ((XXHASH.hash(header, from, 6 - from, 0) >> 8) & 0xFF);
        out.write(header);
    }

    @Override
    public void write(int b) throws IOException {
        if (pos == BLOCK_SIZE) writeBlock();
        block[pos++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == BLOCK_SIZE) writeBlock();
            int n = Math.min(len, BLOCK_SIZE - pos);
            System.arraycopy(b, off, block, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    private void writeBlock() throws IOException {
        if (pos == 0) return;
        int clen = COMPRESSOR.compress(block, 0, pos, compressed, 0, compressed.length);
        byte[] size = new byte[4];
        if (clen >= pos) {
            writeIntLE(size, 0, pos | 0x80000000);
            out.write(size);
            out.write(block, 0, pos);
        } else {
            writeIntLE(size, 0, clen);
            out.write(size);
            out.write(compressed, 0, clen);
        }
        pos = 0;
    }

    @Override
    public void flush() throws IOException {
        writeBlock();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        writeBlock();
        out.write(new byte[4]); // end mark
        out.close();
    }

    static void writeIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
