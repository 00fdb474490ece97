package dev.skiff.protocol;

import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.FileRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes protocol primitives into a sequence of pieces: buffers for what is encoded here, and for records
 * either a buffer of the caller's (not copied when large) or a {@link FileRegion} (sent with zero copy).
 * The pieces, in order, are the encoded bytes.
 */
public final class ProtocolWriter {

    /** Records smaller than this are copied; larger ones become a piece of their own. */
    private static final int COPY_THRESHOLD = 4096;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final ByteBufAllocator alloc;
    private final List<Object> pieces = new ArrayList<>();
    /**
     * The bytes encoded since the last piece. Primitives go into a plain array, not through a ByteBuf's
     * bounds, reference-count and growth checks: each generated write method then compiles to a few stores
     * (the JIT's work and the encoding's both shrink), and the array becomes one buffer when a piece ends.
     */
    private byte[] current;

    private int position;
    private long size;

    public ProtocolWriter() {
        this(UnpooledByteBufAllocator.DEFAULT);
    }

    public ProtocolWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Bytes written so far, including records. */
    public long size() {
        return size;
    }

    /** Room for {@code bytes} more at {@link #position}. */
    private byte[] buf(int bytes) {
        byte[] b = current;
        if (b == null || b.length - position < bytes) b = grow(bytes);
        size += bytes;
        return b;
    }

    private byte[] grow(int bytes) {
        if (current == null) {
            current = new byte[Math.max(256, bytes)];
        } else {
            long wanted = Math.max((long) position + bytes, 2L * current.length);
            if (wanted > Integer.MAX_VALUE - 8) {
                wanted = (long) position + bytes;
                if (wanted > Integer.MAX_VALUE - 8) throw new ProtocolException("Encoded piece too large");
            }
            current = Arrays.copyOf(current, (int) wanted);
        }
        return current;
    }

    /**
     * Ends the piece being encoded. A pooled allocator (a server's channel) gets it in a direct buffer, so the
     * socket write does not copy it again; otherwise the array is wrapped as it is.
     */
    private void endCurrent() {
        if (current != null) {
            if (position > 0) {
                ByteBuf piece;
                if (alloc.isDirectBufferPooled()) {
                    piece = alloc.directBuffer(position, position).writeBytes(current, 0, position);
                } else {
                    piece = Unpooled.wrappedBuffer(current, 0, position);
                }
                pieces.add(piece);
            }
            current = null;
            position = 0;
        }
    }

    public void writeInt8(byte v) {
        buf(1)[position++] = v;
    }

    public void writeBool(boolean v) {
        writeInt8(v ? (byte) 1 : 0);
    }

    public void writeInt16(short v) {
        SHORT.set(buf(2), position, v);
        position += 2;
    }

    public void writeUint16(int v) {
        if (v < 0 || v > 0xffff) throw new ProtocolException("uint16 out of range: " + v);
        writeInt16((short) v);
    }

    public void writeInt32(int v) {
        INT.set(buf(4), position, v);
        position += 4;
    }

    public void writeUint32(long v) {
        if (v < 0 || v > 0xffffffffL) throw new ProtocolException("uint32 out of range: " + v);
        writeInt32((int) v);
    }

    public void writeInt64(long v) {
        LONG.set(buf(8), position, v);
        position += 8;
    }

    public void writeFloat64(double v) {
        writeInt64(Double.doubleToRawLongBits(v));
    }

    public void writeUuid(Uuid v) {
        if (v == null) throw new ProtocolException("uuid must not be null");
        writeInt64(v.mostSignificantBits());
        writeInt64(v.leastSignificantBits());
    }

    public void writeUnsignedVarint(int v) {
        while ((v & ~0x7f) != 0) {
            writeInt8((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        writeInt8((byte) v);
    }

    public void writeVarint(int v) {
        writeUnsignedVarint((v << 1) ^ (v >> 31));
    }

    /** A length prefix; -1 is null. Compact lengths are written plus one as an unsigned varint. */
    private void writeLength(int len, boolean compact, boolean wide, boolean nullable, String what) {
        if (len < 0 && !nullable) throw new ProtocolException("Non-nullable " + what + " is null");
        if (compact) {
            writeUnsignedVarint(len + 1);
        } else if (wide) {
            writeInt32(len);
        } else {
            if (len > Short.MAX_VALUE) throw new ProtocolException(what + " too long: " + len + " bytes");
            writeInt16((short) len);
        }
    }

    public void writeString(String s, boolean compact, boolean nullable) {
        if (s == null) {
            writeLength(-1, compact, false, nullable, "string");
            return;
        }
        int n = s.length();
        if (ascii(s, n)) { // names and ids mostly: one byte per char, no array of their own
            writeLength(n, compact, false, nullable, "string");
            byte[] b = buf(n);
            for (int i = 0; i < n; i++) b[position + i] = (byte) s.charAt(i);
            position += n;
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeLength(utf8.length, compact, false, nullable, "string");
            writeRaw(utf8, 0, utf8.length);
        }
    }

    public void writeBytes(byte[] b, boolean compact, boolean nullable) {
        writeLength(b == null ? -1 : b.length, compact, true, nullable, "bytes");
        if (b != null) writeRaw(b, 0, b.length);
    }

    private static boolean ascii(String s, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    private void writeRaw(byte[] b, int offset, int length) {
        System.arraycopy(b, offset, buf(length), position, length);
        position += length;
    }

    /** A records field: its length, then the records themselves (see {@link #writeRecords(RecordsData)}). */
    public void writeRecords(RecordsData r, boolean compact, boolean nullable) {
        writeLength(r == null ? -1 : r.sizeInBytes(), compact, true, nullable, "records");
        if (r != null) writeRecords(r);
    }

    /**
     * The bytes of records, without a length. A small buffer is copied, a large one becomes a piece of its
     * own (retained, so the caller keeps its reference); file records become a file region that Netty
     * sends with sendfile, so they never enter the heap.
     */
    public void writeRecords(RecordsData r) {
        if (r.sizeInBytes() == 0) return;
        if (r instanceof BufferRecords b) {
            ByteBuf data = b.buf();
            if (data.readableBytes() < COPY_THRESHOLD) {
                int n = data.readableBytes();
                data.getBytes(data.readerIndex(), buf(n), position, n);
                position += n;
            } else {
                endCurrent();
                pieces.add(data.retainedDuplicate());
                size += data.readableBytes();
            }
        } else if (r instanceof FileRecords f) {
            endCurrent();
            pieces.add(new SharedFileRegion(f.channel(), f.position(), f.size()));
            size += f.size();
        }
    }

    public void writeArrayLength(int n, boolean compact, boolean nullable) {
        writeLength(n, compact, true, nullable, "array");
    }

    /** A null struct: the -1 marker where the version allows null, else an error. */
    public void writeNullStruct(boolean nullable, String field) {
        if (!nullable) throw new ProtocolException("Non-nullable field " + field + " is null");
        writeInt8((byte) -1);
    }

    /** One entry of a tagged-field section: tag, size, then the data, sized by writing it to a scratch writer. */
    public void writeTaggedField(int tag, Consumer<ProtocolWriter> body) {
        ProtocolWriter scratch = new ProtocolWriter(alloc);
        ByteBuf data;
        try {
            body.accept(scratch);
            data = scratch.toByteBuf();
        } catch (RuntimeException e) {
            scratch.release();
            throw e;
        }
        try {
            writeUnsignedVarint(tag);
            writeUnsignedVarint(data.readableBytes());
            int n = data.readableBytes();
            data.getBytes(data.readerIndex(), buf(n), position, n);
            position += n;
        } finally {
            data.release();
        }
    }

    /** The pieces written ({@link ByteBuf}s and {@link FileRegion}s, in order); the writer is done after this. */
    public List<Object> finish() {
        endCurrent();
        List<Object> out = List.copyOf(pieces);
        pieces.clear();
        return out;
    }

    /** All bytes as one buffer; only for writers that hold no file region. */
    public ByteBuf toByteBuf() {
        List<Object> all = finish();
        if (all.isEmpty()) return Unpooled.EMPTY_BUFFER;
        if (all.size() == 1 && all.get(0) instanceof ByteBuf b) return b;
        CompositeByteBuf composite = alloc.compositeBuffer(all.size());
        for (Object piece : all) {
            if (!(piece instanceof ByteBuf b)) {
                composite.release();
                throw new IllegalStateException("writer holds a file region; use finish()");
            }
            composite.addComponent(true, b);
        }
        return composite;
    }

    /** Copies everything to an array (tests and small messages); releases the pieces. */
    public byte[] toByteArray() {
        ByteBuf all = toByteBuf();
        try {
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    /** Releases every piece, for a writer whose output is abandoned. */
    public void release() {
        current = null; // nothing was handed out of the array yet
        position = 0;
        for (Object piece : pieces) ReferenceCountUtil.release(piece);
        pieces.clear();
    }
}
