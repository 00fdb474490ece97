package dev.skiff.it.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Kafka request frames written by hand from the protocol spec, including ones no client would send.
 * Everything is big-endian; a string is an int16 length and UTF-8 bytes; bytes are an int32 length (-1 = null).
 * A frame is an int32 size followed by that many bytes: a request header (v1: api_key int16, api_version int16,
 * correlation_id int32, client_id string) and the body.
 */
public final class Wire {
    public static final short PRODUCE = 0;
    public static final short METADATA = 3;
    public static final short API_VERSIONS = 18;

    private Wire() {}

    /** A growing big-endian buffer. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        public Writer int8(int v) {
            return run(() -> out.writeByte(v));
        }

        public Writer int16(int v) {
            return run(() -> out.writeShort(v));
        }

        public Writer int32(int v) {
            return run(() -> out.writeInt(v));
        }

        public Writer int64(long v) {
            return run(() -> out.writeLong(v));
        }

        public Writer raw(byte[] v) {
            return run(() -> out.write(v));
        }

        public Writer string(String v) {
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            return int16(utf8.length).raw(utf8);
        }

        public Writer bytes(byte[] v) {
            return v == null ? int32(-1) : int32(v.length).raw(v);
        }

        public byte[] toByteArray() {
            return bytes.toByteArray();
        }

        private interface Io {
            void run() throws IOException;
        }

        private Writer run(Io io) {
            try {
                io.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    public static Writer writer() {
        return new Writer();
    }

    /** A whole frame: size, request header v1, body. */
    public static byte[] request(short apiKey, short apiVersion, int correlationId, String clientId, byte[] body) {
        byte[] payload = writer().int16(apiKey)
                .int16(apiVersion)
                .int32(correlationId)
                .string(clientId)
                .raw(body)
                .toByteArray();
        return writer().int32(payload.length).raw(payload).toByteArray();
    }

    /** Metadata v0 for every topic (an empty topic array means all topics in v0). */
    public static byte[] metadataV0(int correlationId) {
        return request(
                METADATA,
                (short) 0,
                correlationId,
                "wire-test",
                writer().int32(0).toByteArray());
    }

    /** ApiVersions at any version with an empty body (v0-v2 have none). */
    public static byte[] apiVersions(short version, int correlationId) {
        return request(API_VERSIONS, version, correlationId, "wire-test", new byte[0]);
    }

    /**
     * A message of magic 0: offset int64, size int32, then crc int32 over the rest: magic int8 (0),
     * attributes int8 (0, no compression), key bytes, value bytes. With {@code corruptCrc} the crc is off by one.
     */
    public static byte[] messageV0(long offset, byte[] key, byte[] value, boolean corruptCrc) {
        byte[] afterCrc = writer().int8(0).int8(0).bytes(key).bytes(value).toByteArray();
        CRC32 crc = new CRC32();
        crc.update(afterCrc);
        int checksum = (int) crc.getValue() + (corruptCrc ? 1 : 0);
        byte[] message = writer().int32(checksum).raw(afterCrc).toByteArray();
        return writer().int64(offset).int32(message.length).raw(message).toByteArray();
    }

    /** Produce v0: acks int16, timeout int32, [topic string, [partition int32, message_set_size int32, message_set]]. */
    public static byte[] produceV0(
            int correlationId, short acks, int timeoutMs, String topic, int partition, byte[] messageSet) {
        byte[] body = writer().int16(acks)
                .int32(timeoutMs)
                .int32(1)
                .string(topic)
                .int32(1)
                .int32(partition)
                .int32(messageSet.length)
                .raw(messageSet)
                .toByteArray();
        return request(PRODUCE, (short) 0, correlationId, "wire-test", body);
    }

    // ---- reading answers: a response frame is size int32, correlation_id int32 (header v0), body ----

    public static String string(ByteBuffer in) {
        short length = in.getShort();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = new byte[length];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** A broker of a Metadata v0 answer. */
    public record Broker(int nodeId, String host, int port) {}

    /** The brokers of a Metadata v0 answer body: [node_id int32, host string, port int32], then topics (not read). */
    public static List<Broker> metadataV0Brokers(ByteBuffer body) {
        int count = body.getInt();
        List<Broker> brokers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            brokers.add(new Broker(body.getInt(), string(body), body.getInt()));
        }
        return brokers;
    }

    /** The one partition of a Produce v0 answer body: [topic, [partition int32, error_code int16, base_offset int64]]. */
    public record ProducePartition(String topic, int partition, short errorCode, long baseOffset) {}

    public static ProducePartition produceV0Answer(ByteBuffer body) {
        int topics = body.getInt();
        if (topics != 1) {
            throw new AssertionError("Produce answer with " + topics + " topics");
        }
        String topic = string(body);
        int partitions = body.getInt();
        if (partitions != 1) {
            throw new AssertionError("Produce answer with " + partitions + " partitions");
        }
        return new ProducePartition(topic, body.getInt(), body.getShort(), body.getLong());
    }
}
