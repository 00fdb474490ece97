package dev.skiff.protocol.records;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Zig-zag varints as used inside v2 records; malformed input raises {@link CorruptRecordException}. */
final class Varints {
    private Varints() {}

    static int readVarint(ByteBuffer in) {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) throw new CorruptRecordException("Truncated varint");
            int b = in.get();
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varint is longer than 5 bytes");
    }

    static long readVarlong(ByteBuffer in) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!in.hasRemaining()) throw new CorruptRecordException("Truncated varlong");
            long b = in.get();
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varlong is longer than 10 bytes");
    }

    /** Reads a varint from a stream; returns {@code null} on a clean end of stream before the first byte. */
    static Integer readVarintOrEnd(InputStream in) throws IOException {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                if (shift == 0) return null;
                throw new CorruptRecordException("Truncated varint");
            }
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new CorruptRecordException("Varint is longer than 5 bytes");
    }

    static void writeVarint(int value, ByteBuffer out) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & ~0x7F) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    static void writeVarlong(long value, ByteBuffer out) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    static int sizeOfVarint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & ~0x7F) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }
}
