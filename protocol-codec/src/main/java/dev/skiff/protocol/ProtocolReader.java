package dev.skiff.protocol;

import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads protocol primitives from a buffer. Every read checks the bytes left first, and every length is
 * checked against them before anything is allocated, so malformed input ends in a {@link ProtocolException}.
 */
public final class ProtocolReader {

    private final ByteBuf buf;

    public ProtocolReader(ByteBuf buf) {
        this.buf = buf;
    }

    public int remaining() {
        return buf.readableBytes();
    }

    private void need(long n, String what) {
        if (n > buf.readableBytes()) {
            throw new ProtocolException("Truncated " + what + ": needs " + n + " bytes, " + buf.readableBytes() + " left");
        }
    }

    public byte readInt8() {
        need(1, "int8");
        return buf.readByte();
    }

    public boolean readBool() {
        return readInt8() != 0;
    }

    public short readInt16() {
        need(2, "int16");
        return buf.readShort();
    }

    public int readUint16() {
        need(2, "uint16");
        return buf.readUnsignedShort();
    }

    public int readInt32() {
        need(4, "int32");
        return buf.readInt();
    }

    public long readUint32() {
        need(4, "uint32");
        return buf.readUnsignedInt();
    }

    public long readInt64() {
        need(8, "int64");
        return buf.readLong();
    }

    public double readFloat64() {
        need(8, "float64");
        return buf.readDouble();
    }

    public Uuid readUuid() {
        need(16, "uuid");
        return new Uuid(buf.readLong(), buf.readLong());
    }

    /** An unsigned varint of at most 5 bytes; values above Integer.MAX_VALUE come back negative. */
    public int readUnsignedVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readInt8();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new ProtocolException("Unsigned varint is longer than 5 bytes");
    }

    /** A zig-zag encoded varint. */
    public int readVarint() {
        int raw = readUnsignedVarint();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Reads a length: compact ones are stored plus one (0 is null); -1 means null, other negatives are errors. */
    private int readLength(boolean compact, boolean wide, boolean nullable, String what) {
        long len;
        if (compact) {
            len = (readUnsignedVarint() & 0xffffffffL) - 1;
        } else {
            len = wide ? readInt32() : readInt16();
        }
        if (len == -1) {
            if (!nullable) throw new ProtocolException("Non-nullable " + what + " is null");
            return -1;
        }
        if (len < 0) throw new ProtocolException("Negative " + what + " length " + len);
        need(len, what);
        return (int) len;
    }

    public String readString(boolean compact, boolean nullable) {
        int len = readLength(compact, false, nullable, "string");
        if (len < 0) return null;
        String s = buf.toString(buf.readerIndex(), len, StandardCharsets.UTF_8);
        buf.skipBytes(len);
        return s;
    }

    public byte[] readBytes(boolean compact, boolean nullable) {
        int len = readLength(compact, true, nullable, "bytes");
        if (len < 0) return null;
        byte[] out = new byte[len];
        buf.readBytes(out);
        return out;
    }

    /** Records stay a slice of the input buffer: valid as long as the input is. */
    public RecordsData readRecords(boolean compact, boolean nullable) {
        int len = readLength(compact, true, nullable, "records");
        if (len < 0) return null;
        return new BufferRecords(buf.readSlice(len));
    }

    /**
     * The element count of an array, or -1 for null. Every element takes at least one byte, so a count
     * above the bytes left is rejected before the list is allocated.
     */
    public int readArrayLength(boolean compact, boolean nullable) {
        long n = compact ? (readUnsignedVarint() & 0xffffffffL) - 1 : readInt32();
        if (n == -1) {
            if (!nullable) throw new ProtocolException("Non-nullable array is null");
            return -1;
        }
        if (n < 0) throw new ProtocolException("Negative array length " + n);
        if (n > buf.readableBytes()) {
            throw new ProtocolException("Array of " + n + " elements but only " + buf.readableBytes() + " bytes left");
        }
        return (int) n;
    }

    /** Reads a tagged field's size and returns a reader over exactly its bytes, skipping them here. */
    public ProtocolReader readTaggedFieldData() {
        int size = readUnsignedVarint();
        if (size < 0) throw new ProtocolException("Tagged field size too large");
        need(size, "tagged field");
        return new ProtocolReader(buf.readSlice(size));
    }
}
