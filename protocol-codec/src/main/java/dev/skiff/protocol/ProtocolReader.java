package dev.skiff.protocol;

import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads protocol primitives from a buffer. Every read checks the bytes left first, and every length is
 * checked against them before anything is allocated, so malformed input ends in a {@link ProtocolException}.
 * <p>What decoding builds is charged, as an estimate of the heap it holds, to a budget of
 * {@link #HEAP_MULTIPLE} times the input's size plus {@link #HEAP_SLACK}: a request of tiny elements (empty
 * structs and lists of a byte or two each on the wire take tens of bytes of heap each) is refused as
 * malformed rather than allowed to hold far more memory than it is large.
 */
public final class ProtocolReader {
    /** Heap a decoded message may hold per byte of its input. */
    public static final int HEAP_MULTIPLE = 4;
    /** Heap any message may hold whatever its size, so small requests of short strings always decode. */
    public static final long HEAP_SLACK = 1024 * 1024;
    /** Object header of a {@code String} or array, and the fields of a {@code String}. */
    private static final int STRING_OVERHEAD = 40;
    /** An {@code ArrayList} and its element array's header. */
    private static final int LIST_OVERHEAD = 40;
    /** A reference in a list, compressed oops. */
    private static final int REFERENCE = 4;

    private static final int UUID_SIZE = 32;
    private static final int RECORDS_SIZE = 64;

    private final ByteBuf buf;
    private final HeapBudget heap;

    public ProtocolReader(ByteBuf buf) {
        this(buf, new HeapBudget(HEAP_MULTIPLE * (long) buf.readableBytes() + HEAP_SLACK));
    }

    private ProtocolReader(ByteBuf buf, HeapBudget heap) {
        this.buf = buf;
        this.heap = heap;
    }

    /** Shared by a reader and the readers of its tagged fields. */
    private static final class HeapBudget {
        private final long limit;
        private long used;

        HeapBudget(long limit) {
            this.limit = limit;
        }
    }

    /**
     * Charges {@code bytes} of heap that decoding is about to hold (generated code calls it for each struct it
     * builds); fails once the message would hold more than its budget.
     */
    public void charge(long bytes) {
        heap.used += bytes;
        if (heap.used > heap.limit) {
            throw new ProtocolException("Decoding would hold more than " + heap.limit + " bytes of heap for "
                    + "a message this size (" + HEAP_MULTIPLE + " per byte of input plus " + HEAP_SLACK + ")");
        }
    }

    public int remaining() {
        return buf.readableBytes();
    }

    private void need(long n, String what) {
        if (n > buf.readableBytes()) {
            throw new ProtocolException(
                    "Truncated " + what + ": needs " + n + " bytes, " + buf.readableBytes() + " left");
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
        charge(UUID_SIZE);
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
        if (len == 0) return "";
        String s = buf.toString(buf.readerIndex(), len, StandardCharsets.UTF_8);
        buf.skipBytes(len);
        // one byte per character when all are Latin-1 (ASCII input), else two
        charge(STRING_OVERHEAD + (s.length() == len ? len : 2L * s.length()));
        return s;
    }

    public byte[] readBytes(boolean compact, boolean nullable) {
        int len = readLength(compact, true, nullable, "bytes");
        if (len < 0) return null;
        charge(16 + len);
        byte[] out = new byte[len];
        buf.readBytes(out);
        return out;
    }

    /** Records stay a slice of the input buffer: valid as long as the input is. */
    public RecordsData readRecords(boolean compact, boolean nullable) {
        int len = readLength(compact, true, nullable, "records");
        if (len < 0) return null;
        charge(RECORDS_SIZE);
        return new BufferRecords(buf.readSlice(len));
    }

    /**
     * The element count of an array, or -1 for null. Every element takes at least one byte, so a count
     * above the bytes left is rejected before the list is allocated.
     */
    public int readArrayLength(boolean compact, boolean nullable) {
        return readArrayLength(compact, nullable, 1, 0);
    }

    /**
     * The element count of an array whose elements take at least {@code minElementSize} bytes each, or -1 for
     * null. A count that the bytes left cannot hold is rejected, so a list sized from it holds at most one
     * reference per {@code minElementSize} bytes of input. The list and {@code boxedSize} per element (a boxed
     * number; 0 for what charges itself when read) are charged to the heap budget.
     */
    public int readArrayLength(boolean compact, boolean nullable, int minElementSize, int boxedSize) {
        long n = compact ? (readUnsignedVarint() & 0xffffffffL) - 1 : readInt32();
        if (n == -1) {
            if (!nullable) throw new ProtocolException("Non-nullable array is null");
            return -1;
        }
        if (n < 0) throw new ProtocolException("Negative array length " + n);
        if (n * Math.max(1, minElementSize) > buf.readableBytes()) {
            throw new ProtocolException("Array of " + n + " elements of at least " + minElementSize + " bytes but only "
                    + buf.readableBytes() + " bytes left");
        }
        charge(LIST_OVERHEAD + n * (REFERENCE + boxedSize));
        return (int) n;
    }

    /** Reads a tagged field's size and returns a reader over exactly its bytes, skipping them here. */
    public ProtocolReader readTaggedFieldData() {
        int size = readUnsignedVarint();
        if (size < 0) throw new ProtocolException("Tagged field size too large");
        need(size, "tagged field");
        return new ProtocolReader(buf.readSlice(size), heap);
    }
}
