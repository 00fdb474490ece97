package dev.skiff.broker.cluster;

import dev.skiff.broker.cluster.records.ConfigRecordData;
import dev.skiff.broker.cluster.records.FenceBrokerRecordData;
import dev.skiff.broker.cluster.records.PartitionChangeRecordData;
import dev.skiff.broker.cluster.records.PartitionRecordData;
import dev.skiff.broker.cluster.records.RegisterBrokerRecordData;
import dev.skiff.broker.cluster.records.RemoveTopicRecordData;
import dev.skiff.broker.cluster.records.TopicRecordData;
import dev.skiff.broker.cluster.records.UnfenceBrokerRecordData;
import dev.skiff.broker.cluster.records.UnregisterBrokerRecordData;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolReader;
import dev.skiff.protocol.ProtocolWriter;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's metadata log: Kafka's KRaft metadata records, one frame per operation so that an operation
 * is kept whole or not at all. A frame is {@code length (int32), crc32c (int32) of the body, body}; the body is
 * {@code count (int32)} records, each {@code api key (int16), version (int16), size (int32), record}. At open,
 * a frame cut short or failing its CRC ends the log: it and everything after it are truncated (a torn write of
 * the operation that was running when the process died; that operation was never answered).
 */
final class MetadataLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetadataLog.class);

    /** Frames larger than this are not ours (the per-operation record cap keeps real ones far below). */
    static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

    private final Path file;
    private final FileChannel channel;

    private MetadataLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating) the log and reads every whole frame, truncating a torn tail. */
    static MetadataLog open(Path file, List<List<ApiMessage>> replayed) {
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = ch.size();
            long pos = 0;
            ByteBuffer head = ByteBuffer.allocate(8);
            while (pos < size) {
                head.clear();
                if (size - pos < 8 || ch.read(head, pos) < 8) break;
                head.flip();
                int length = head.getInt();
                int crc = head.getInt();
                if (length < 4 || length > MAX_FRAME_BYTES || pos + 8 + length > size) break;
                ByteBuffer body = ByteBuffer.allocate(length);
                while (body.hasRemaining()) {
                    if (ch.read(body, pos + 8 + body.position()) < 0) break;
                }
                if (body.hasRemaining()) break;
                body.flip();
                CRC32C c = new CRC32C();
                c.update(body.duplicate());
                if ((int) c.getValue() != crc) break;
                List<ApiMessage> records;
                try {
                    records = decode(body);
                } catch (RuntimeException e) {
                    log.warn("Metadata log {}: frame at {} cannot be read ({}); it ends the log", file, pos, e);
                    break;
                }
                replayed.add(records);
                pos += 8 + length;
            }
            if (pos < size) {
                log.warn("Metadata log {}: truncating a torn tail of {} byte(s) at {}", file, size - pos, pos);
                ch.truncate(pos);
                ch.force(true);
            }
            ch.position(pos);
            return new MetadataLog(file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the metadata log " + file, e);
        }
    }

    /** Writes the records of one operation as one frame and forces it to disk. */
    void append(List<ApiMessage> records) {
        byte[] body = encode(records);
        CRC32C c = new CRC32C();
        c.update(body);
        ByteBuffer frame = ByteBuffer.allocate(8 + body.length);
        frame.putInt(body.length).putInt((int) c.getValue()).put(body).flip();
        try {
            long start = channel.position();
            try {
                while (frame.hasRemaining()) channel.write(frame);
                channel.force(false);
            } catch (IOException e) {
                // leave no half frame behind a failed write, so later frames stay readable
                channel.truncate(start);
                channel.position(start);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the metadata log " + file, e);
        }
    }

    static byte[] encode(List<ApiMessage> records) {
        ProtocolWriter out = new ProtocolWriter();
        out.writeInt32(records.size());
        for (ApiMessage m : records) {
            short version = versionOf(m);
            ProtocolWriter one = new ProtocolWriter();
            m.write(one, version);
            byte[] bytes = one.toByteArray();
            out.writeInt16(m.apiKey());
            out.writeInt16(version);
            out.writeBytes(bytes, false, false);
        }
        return out.toByteArray();
    }

    /** The version each record is written in: the oldest that holds every field Skiff sets. */
    private static short versionOf(ApiMessage m) {
        return 0;
    }

    static List<ApiMessage> decode(ByteBuffer body) {
        ProtocolReader in = new ProtocolReader(Unpooled.wrappedBuffer(body));
        int count = in.readInt32();
        if (count < 0 || count > body.remaining()) throw new IllegalStateException("bad record count " + count);
        List<ApiMessage> out = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            short key = in.readInt16();
            short version = in.readInt16();
            byte[] bytes = in.readBytes(false, false);
            out.add(read(key, version, new ProtocolReader(Unpooled.wrappedBuffer(bytes))));
        }
        return out;
    }

    private static ApiMessage read(short key, short version, ProtocolReader r) {
        return switch (key) {
            case RegisterBrokerRecordData.API_KEY -> new RegisterBrokerRecordData(r, version);
            case TopicRecordData.API_KEY -> new TopicRecordData(r, version);
            case PartitionRecordData.API_KEY -> new PartitionRecordData(r, version);
            case ConfigRecordData.API_KEY -> new ConfigRecordData(r, version);
            case PartitionChangeRecordData.API_KEY -> new PartitionChangeRecordData(r, version);
            case FenceBrokerRecordData.API_KEY -> new FenceBrokerRecordData(r, version);
            case UnfenceBrokerRecordData.API_KEY -> new UnfenceBrokerRecordData(r, version);
            case RemoveTopicRecordData.API_KEY -> new RemoveTopicRecordData(r, version);
            case UnregisterBrokerRecordData.API_KEY -> new UnregisterBrokerRecordData(r, version);
            default -> throw new IllegalStateException("unknown metadata record type " + key);
        };
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("Closing the metadata log {}: {}", file, e.toString());
        }
    }
}
