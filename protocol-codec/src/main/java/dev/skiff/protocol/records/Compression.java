package dev.skiff.protocol.records;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.skiff.protocol.ApiException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

/**
 * The four codecs framed exactly as Kafka clients frame them: gzip streams, xerial snappy streams (with their
 * magic header), Kafka's LZ4 frame and zstd streams.
 */
public final class Compression {
    /** zstd level Kafka uses by default. */
    public static final int ZSTD_DEFAULT_LEVEL = 3;

    private Compression() {}

    /**
     * Wraps {@code out} so that what is written is compressed; closing the result finishes the stream and
     * closes {@code out}.
     *
     * @param magic the message format: LZ4 for magic 0 writes the header checksum old clients expect
     */
    public static OutputStream wrapForOutput(CompressionType type, OutputStream out, byte magic) {
        try {
            switch (type) {
                case NONE:
                    return out;
                case GZIP:
                    return new BufferedOutputStream(new GZIPOutputStream(out, 8 * 1024), 16 * 1024);
                case SNAPPY:
                    return new SnappyOutputStream(out);
                case LZ4:
                    return new Lz4FrameOutputStream(out, magic == 0);
                case ZSTD:
                    if (magic < 2) throw new InvalidRecordException("zstd needs message format v2");
                    return new BufferedOutputStream(
                            new ZstdOutputStreamNoFinalizer(out, ZSTD_DEFAULT_LEVEL), 16 * 1024);
                default:
                    throw new IllegalArgumentException(type.name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stream of the decompressed bytes of {@code compressed}'s remaining bytes (the buffer is not moved).
     * A malformed stream header raises {@link CorruptRecordException}; later stream errors surface as
     * {@link IOException} or codec runtime exceptions that callers translate.
     */
    public static InputStream wrapForInput(CompressionType type, ByteBuffer compressed) {
        InputStream in = new ByteBufferInputStream(compressed);
        try {
            switch (type) {
                case NONE:
                    return in;
                case GZIP:
                    return new BufferedInputStream(new GZIPInputStream(in, 8 * 1024), 16 * 1024);
                case SNAPPY:
                    return new SnappyInputStream(in);
                case LZ4:
                    return new Lz4FrameInputStream(in);
                case ZSTD:
                    return new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), 16 * 1024);
                default:
                    throw new IllegalArgumentException(type.name());
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRecordException) throw (InvalidRecordException) e;
            throw new CorruptRecordException("Malformed " + type.configName + " stream: " + e.getMessage(), e);
        }
    }

    /** Compresses a whole buffer (its remaining bytes) in one go. */
    public static ByteBuffer compress(CompressionType type, ByteBuffer data, byte magic) {
        ByteBufferOutputStream out = new ByteBufferOutputStream(data.remaining() / 2 + 64);
        try (OutputStream os = wrapForOutput(type, out, magic)) {
            if (data.hasArray()) {
                os.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            } else {
                os.write(Record.bytes(data));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toBuffer();
    }

    /** Decompresses a whole buffer, refusing output beyond {@code maxBytes} (a decompression bomb). */
    public static ByteBuffer decompress(CompressionType type, ByteBuffer compressed, int maxBytes) {
        return decompress(
                type,
                compressed,
                maxBytes,
                () -> new CorruptRecordException("Decompressed data exceeds " + maxBytes + " bytes"));
    }

    /**
     * Decompresses a whole buffer; output beyond {@code maxBytes} stops the stream and throws what
     * {@code tooLarge} gives. The buffer grows with the data actually produced, so at most about twice
     * {@code maxBytes} is allocated whatever the stream claims.
     */
    static ByteBuffer decompress(
            CompressionType type, ByteBuffer compressed, int maxBytes, Supplier<? extends RuntimeException> tooLarge) {
        ByteBufferOutputStream out =
                new ByteBufferOutputStream((int) Math.min(maxBytes, compressed.remaining() * 3L + 64));
        byte[] chunk = new byte[8 * 1024];
        try (InputStream in = wrapForInput(type, compressed)) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (out.position() + n > maxBytes) throw tooLarge.get();
                out.write(chunk, 0, n);
            }
        } catch (CorruptRecordException | InvalidRecordException | ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptRecordException("Malformed " + type.configName + " data: " + e.getMessage(), e);
        }
        return out.toBuffer();
    }
}
