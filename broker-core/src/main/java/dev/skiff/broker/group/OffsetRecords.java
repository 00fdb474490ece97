package dev.skiff.broker.group;

import static dev.skiff.broker.InternalRecordFields.readString;
import dev.skiff.broker.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The key and value layout of committed offsets in the internal offsets topic. It is Kafka's own layout
 * (offset commit key version 1, value version 3), so tools that decode Kafka's __consumer_offsets read ours.
 */
final class OffsetRecords {

    static final short OFFSET_KEY_VERSION = 1;
    static final short OFFSET_VALUE_VERSION = 3;

    private OffsetRecords() {}

    record Key(String group, TopicPartition tp) {}

    static byte[] key(String group, TopicPartition tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(OFFSET_KEY_VERSION).putShort((short) g.length).put(g).putShort((short) t.length).put(t)
                .putInt(tp.partition());
        return b.array();
    }

    static byte[] value(CommittedOffset o) {
        byte[] m = o.metadata() == null ? new byte[0] : o.metadata().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + 2 + m.length + 8);
        b.putShort(OFFSET_VALUE_VERSION).putLong(o.offset()).putInt(o.leaderEpoch()).putShort((short) m.length).put(m)
                .putLong(o.commitTimestamp());
        return b.array();
    }

    /** The key, or null for a key of another kind (group metadata, later versions). */
    static Key readKey(ByteBuffer b) {
        short version = b.getShort();
        if (version != 0 && version != 1) return null;
        String group = readString(b);
        String topic = readString(b);
        return new Key(group, new TopicPartition(topic, b.getInt()));
    }

    static CommittedOffset readValue(ByteBuffer b) {
        short version = b.getShort();
        long offset = b.getLong();
        int epoch = version >= 3 ? b.getInt() : -1;
        String metadata = readString(b);
        long ts = b.getLong();
        return new CommittedOffset(offset, epoch, metadata, ts);
    }
}
