package dev.skiff.protocol.records;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A decoded magic 0/1 message set (Produce v0-2 requests, old segment data): every message checked for size
 * and CRC32, compressed wrappers unwrapped into their inner messages with absolute offsets. A partial message
 * at the end is skipped, as clients do; {@link #validBytes()} tells how much was read.
 */
public final class LegacyMessageSet {

    private final List<LegacyMessage> messages;
    private final CompressionType compression;
    private final byte magic;
    private final int validBytes;
    private final int inputBytes;

    private LegacyMessageSet(
            List<LegacyMessage> messages, CompressionType compression, byte magic, int validBytes, int inputBytes) {
        this.messages = messages;
        this.compression = compression;
        this.magic = magic;
        this.validBytes = validBytes;
        this.inputBytes = inputBytes;
    }

    /** The inner messages in order, compression unwrapped. */
    public List<LegacyMessage> messages() {
        return messages;
    }

    /** The codec of the wrappers if they all share one, else {@link CompressionType#NONE}. */
    public CompressionType compression() {
        return compression;
    }

    /** Magic of the first message, {@code -1} if there is none. */
    public byte magic() {
        return magic;
    }

    /** Bytes of complete messages from the start of the set. */
    public int validBytes() {
        return validBytes;
    }

    /** Bytes given to {@link #read}, including a partial trailing message. */
    public int inputBytes() {
        return inputBytes;
    }

    /** Reads the set with Kafka's default {@code message.max.bytes} as the limit on its messages. */
    public static LegacyMessageSet read(ByteBuffer set) {
        return read(
                set,
                RecordBatches.KAFKA_DEFAULT_MESSAGE_MAX_BYTES,
                DecompressionBudget.forRequest(RecordBatches.KAFKA_DEFAULT_MESSAGE_MAX_BYTES));
    }

    /**
     * Reads the set from position to limit (the buffer is not moved). The messages it holds, once compressed
     * wrappers are unwrapped, become one batch, so together they may take at most {@code maxMessageBytes}
     * (the topic's {@code max.message.bytes}): this is checked from the sizes in the headers before anything
     * is decoded, and while a wrapper inflates, so a small request cannot expand into a large heap.
     *
     * @param budget the request's decompression budget, charged with what wrappers inflate to
     * @throws CorruptRecordException on a bad size, CRC, magic or codec stream
     * @throws InvalidRecordException on zstd or nested compression, or an empty wrapper
     * @throws dev.skiff.protocol.ApiException MESSAGE_TOO_LARGE beyond {@code maxMessageBytes},
     *         RECORD_LIST_TOO_LARGE beyond the budget
     */
    public static LegacyMessageSet read(ByteBuffer set, int maxMessageBytes, DecompressionBudget budget) {
        Limit limit = new Limit(maxMessageBytes, budget);
        List<LegacyMessage> out = new ArrayList<>();
        CompressionType common = null;
        boolean mixed = false;
        byte firstMagic = -1;
        int pos = set.position();
        while (true) {
            int size = completeMessageSize(set, pos);
            if (size < 0) break;
            byte magic = set.get(pos + LegacyFormat.MAGIC_OFFSET);
            if (firstMagic < 0) firstMagic = magic;
            CompressionType codec = readOne(set, pos, size, out, limit);
            if (common == null) common = codec;
            else if (common != codec) mixed = true;
            pos += LegacyFormat.LOG_OVERHEAD + size;
        }
        CompressionType compression = mixed || common == null ? CompressionType.NONE : common;
        return new LegacyMessageSet(out, compression, firstMagic, pos - set.position(), set.remaining());
    }

    /**
     * Size (from the CRC on) of the complete message at {@code pos}, or {@code -1} if only part of one is left.
     */
    private static int completeMessageSize(ByteBuffer set, int pos) {
        int left = set.limit() - pos;
        if (left < LegacyFormat.LOG_OVERHEAD) return -1;
        int size = set.getInt(pos + LegacyFormat.SIZE_OFFSET);
        if (size < LegacyFormat.MIN_SIZE_V0) {
            throw new CorruptRecordException(
                    "Message size " + size + " is below the minimum " + LegacyFormat.MIN_SIZE_V0);
        }
        return size > left - LegacyFormat.LOG_OVERHEAD ? -1 : size;
    }

    /** Checks the message at {@code pos} and adds it, or its inner messages, to {@code out}; returns its codec. */
    private static CompressionType readOne(ByteBuffer set, int pos, int size, List<LegacyMessage> out, Limit limit) {
        boolean inner = limit == null;
        byte magic = set.get(pos + LegacyFormat.MAGIC_OFFSET);
        if (magic != 0 && magic != 1) throw new CorruptRecordException("Message magic " + magic + " is not 0 or 1");
        if (size < LegacyFormat.minSize(magic)) {
            throw new CorruptRecordException("Message size " + size + " is below the minimum for magic " + magic);
        }
        int end = pos + LegacyFormat.LOG_OVERHEAD + size;
        long stored = set.getInt(pos + LegacyFormat.CRC_OFFSET) & 0xFFFFFFFFL;
        CRC32 crc = new CRC32();
        crc.update(set.duplicate().limit(end).position(pos + LegacyFormat.MAGIC_OFFSET));
        if (crc.getValue() != stored) {
            throw new CorruptRecordException(
                    "Message CRC " + stored + " does not match the computed " + crc.getValue());
        }
        int attributes = set.get(pos + LegacyFormat.ATTRIBUTES_OFFSET);
        CompressionType codec = CompressionType.forId(attributes & CompressionType.ATTRIBUTE_MASK);
        if (codec == CompressionType.ZSTD) throw new InvalidRecordException("zstd is not allowed with magic " + magic);
        long offset = set.getLong(pos);
        long timestamp = RecordBatch.NO_TIMESTAMP;
        TimestampType type = TimestampType.NO_TIMESTAMP_TYPE;
        if (magic == 1) {
            timestamp = set.getLong(pos + LegacyFormat.TIMESTAMP_OFFSET);
            type = TimestampType.fromAttributes(attributes);
        }
        ByteBuffer slice = set.duplicate().limit(end).position(pos + LegacyFormat.keySizeOffset(magic));
        ByteBuffer key = readBytes(slice, "key");
        ByteBuffer value = readBytes(slice, "value");
        if (slice.hasRemaining())
            throw new CorruptRecordException("Message has " + slice.remaining() + " bytes beyond its value");
        if (codec == CompressionType.NONE) {
            if (!inner) limit.take(LegacyFormat.LOG_OVERHEAD + size);
            out.add(new LegacyMessage(offset, magic, timestamp, type, key, value));
        } else if (inner) {
            throw new InvalidRecordException("Compressed message inside a compressed message");
        } else {
            if (value == null) throw new CorruptRecordException("Compressed message has a null value");
            unwrap(offset, magic, timestamp, type, codec, value, out, limit);
        }
        return codec;
    }

    private static void unwrap(
            long wrapperOffset,
            byte wrapperMagic,
            long wrapperTimestamp,
            TimestampType wrapperType,
            CompressionType codec,
            ByteBuffer value,
            List<LegacyMessage> out,
            Limit limit) {
        ByteBuffer inner = limit.inflate(codec, value);
        List<LegacyMessage> unwrapped = new ArrayList<>();
        int pos = 0;
        while (true) {
            int size = completeMessageSize(inner, pos);
            if (size < 0) break;
            if (inner.get(pos + LegacyFormat.MAGIC_OFFSET) != wrapperMagic) {
                throw new InvalidRecordException("Inner message magic differs from its wrapper's " + wrapperMagic);
            }
            readOne(inner, pos, size, unwrapped, null);
            pos += LegacyFormat.LOG_OVERHEAD + size;
        }
        if (unwrapped.isEmpty()) throw new InvalidRecordException("Compressed message has no inner messages");
        if (wrapperMagic == 0) { // inner offsets are absolute already
            out.addAll(unwrapped);
            return;
        }
        // magic 1: inner offsets are relative; the wrapper carries the absolute offset of the last one
        long lastRelative = unwrapped.get(unwrapped.size() - 1).offset();
        boolean logAppend = wrapperType == TimestampType.LOG_APPEND_TIME;
        for (LegacyMessage m : unwrapped) {
            out.add(new LegacyMessage(
                    wrapperOffset - lastRelative + m.offset(),
                    m.magic(),
                    logAppend ? wrapperTimestamp : m.timestamp(),
                    logAppend ? wrapperType : m.timestampType(),
                    m.key(),
                    m.value()));
        }
    }

    private static ByteBuffer readBytes(ByteBuffer in, String what) {
        if (in.remaining() < 4) throw new CorruptRecordException("Message too short for its " + what + " length");
        int len = in.getInt();
        if (len == -1) return null;
        if (len < 0 || len > in.remaining()) throw new CorruptRecordException("Invalid " + what + " length " + len);
        ByteBuffer out = in.slice(in.position(), len).asReadOnlyBuffer();
        in.position(in.position() + len);
        return out;
    }

    /** What the messages of one set may still take, and the request's budget for inflating wrappers. */
    private static final class Limit {
        private final int max;
        private final DecompressionBudget budget;
        private long left;

        Limit(int max, DecompressionBudget budget) {
            this.max = max;
            this.budget = budget;
            this.left = Math.max(0, max);
        }

        void take(long bytes) {
            if (bytes > left) throw tooLarge();
            left -= bytes;
        }

        /** Inflates a wrapper's value, stopping as soon as it outgrows what is left. */
        ByteBuffer inflate(CompressionType codec, ByteBuffer value) {
            int cap = (int) Math.min(left, budget.remaining());
            ByteBuffer inner = Compression.decompress(
                    codec, value, cap, () -> left <= budget.remaining() ? tooLarge() : budget.exceeded());
            budget.charge(inner.remaining());
            take(inner.remaining());
            return inner;
        }

        private ApiException tooLarge() {
            return new ApiException(
                    Errors.MESSAGE_TOO_LARGE,
                    "Messages of the message set exceed max.message.bytes " + max + " once decompressed");
        }
    }
}
