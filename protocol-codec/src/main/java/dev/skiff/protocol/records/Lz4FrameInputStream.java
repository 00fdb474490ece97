package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads an LZ4 frame with independent blocks. The header checksum is accepted both as the LZ4 spec defines it
 * and in the variant old Kafka clients wrote for magic 0 messages (hashed from the magic number on).
 * Optional content size, block checksums and content checksum are understood.
 */
final class Lz4FrameInputStream extends InputStream {
    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.fastestInstance().safeDecompressor();

    private final InputStream in;
    private final boolean blockChecksum;
    private final boolean contentChecksum;
    private final byte[] compressed;
    private final byte[] block;
    private int pos;
    private int limit;
    private boolean finished;

    Lz4FrameInputStream(InputStream in) throws IOException {
        this.in = in;
        byte[] header = new byte[15];
        readFully(header, 0, 6);
        if (readIntLE(header, 0) != Lz4FrameOutputStream.MAGIC) throw new IOException("Bad LZ4 frame magic");
        int flg = header[4] & 0xFF;
        int bd = header[5] & 0xFF;
        if ((flg >>> 6) != 1) throw new IOException("Unsupported LZ4 frame version " + (flg >>> 6));
        if ((flg & 0x20) == 0) throw new IOException("LZ4 frames with dependent blocks are not supported");
        if ((flg & 0x03) != 0 || (bd & 0x8F) != 0) throw new IOException("Reserved LZ4 frame bits are set");
        blockChecksum = (flg & 0x10) != 0;
        contentChecksum = (flg & 0x04) != 0;
        int headerEnd = 6;
        if ((flg & 0x08) != 0) { // content size, not needed to decode
            readFully(header, 6, 8);
            headerEnd = 14;
        }
        int hc = in.read();
        if (hc < 0) throw new IOException("Truncated LZ4 frame header");
        int spec = (Lz4FrameOutputStream.XXHASH.hash(header, 4, headerEnd - 4, 0) >> 8) & 0xFF;
        int broken = (Lz4FrameOutputStream.XXHASH.hash(header, 0, headerEnd, 0) >> 8) & 0xFF;
        if (hc != spec && hc != broken) throw new IOException("LZ4 frame header checksum mismatch");
        int blockSizeId = (bd >>> 4) & 0x07;
        if (blockSizeId < 4) throw new IOException("Bad LZ4 block size id " + blockSizeId);
        int maxBlock = 1 << (8 + 2 * blockSizeId);
        compressed = new byte[maxBlock];
        block = new byte[maxBlock];
    }

    private boolean nextBlock() throws IOException {
        if (finished) return false;
        byte[] four = new byte[4];
        readFully(four, 0, 4);
        int size = readIntLE(four, 0);
        if (size == 0) {
            finished = true;
            if (contentChecksum) readFully(four, 0, 4);
            return false;
        }
        boolean raw = (size & 0x80000000) != 0;
        int len = size & 0x7FFFFFFF;
        if (len > block.length) throw new IOException("LZ4 block larger than the frame's block size");
        if (raw) {
            readFully(block, 0, len);
            limit = len;
        } else {
            readFully(compressed, 0, len);
            try {
                limit = DECOMPRESSOR.decompress(compressed, 0, len, block, 0, block.length);
            } catch (LZ4Exception e) {
                throw new IOException("Malformed LZ4 block", e);
            }
        }
        if (blockChecksum) {
            readFully(four, 0, 4);
            byte[] data = raw ? block : compressed;
            if (Lz4FrameOutputStream.XXHASH.hash(data, 0, len, 0) != readIntLE(four, 0)) {
                throw new IOException("LZ4 block checksum mismatch");
            }
        }
        pos = 0;
        return true;
    }

    @Override
    public int read() throws IOException {
        while (pos == limit) {
            if (!nextBlock()) return -1;
        }
        return block[pos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (pos == limit) {
            if (!nextBlock()) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(block, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) throw new IOException("Truncated LZ4 frame");
            off += n;
            len -= n;
        }
    }

    private static int readIntLE(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }
}
