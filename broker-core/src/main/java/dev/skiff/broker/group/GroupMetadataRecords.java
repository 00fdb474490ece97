package dev.skiff.broker.group;

import static dev.skiff.broker.InternalRecordFields.writeString;
import static dev.skiff.broker.InternalRecordFields.writeBytes;
import static dev.skiff.broker.InternalRecordFields.readString;
import static dev.skiff.broker.InternalRecordFields.readBytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key and value of a group's metadata in {@code __consumer_offsets}, in Kafka's own layout so that
 * Kafka's tools can decode them:
 * <pre>
 * key   (version 2): int16 version, string group
 * value (version 3): int16 version, string protocol_type, int32 generation, nullable string protocol,
 *                    nullable string leader, int64 current_state_timestamp,
 *                    int32 member count, then per member: string member_id, nullable string group_instance_id,
 *                    string client_id, string client_host, int32 rebalance_timeout, int32 session_timeout,
 *                    bytes subscription (int32 length), bytes assignment (int32 length)
 * </pre>
 * Strings are int16 length + UTF-8 (-1 for null). A null value (tombstone) means the group was deleted.
 */
final class GroupMetadataRecords {

    static final short GROUP_KEY_VERSION = 2;
    static final short GROUP_VALUE_VERSION = 3;

    record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {}

    record Value(String protocolType, int generation, String protocol, String leader, long stateTimestampMs,
                 List<MemberValue> members) {}

    private GroupMetadataRecords() {}

    static boolean isGroupKey(byte[] key) {
        return key.length >= 2 && ByteBuffer.wrap(key).getShort(0) == GROUP_KEY_VERSION;
    }

    static byte[] key(String group) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + g.length).putShort(GROUP_KEY_VERSION).putShort((short) g.length).put(g).array();
    }

    static String readKey(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        b.getShort();
        return readString(b);
    }

    static byte[] value(Value v) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(GROUP_VALUE_VERSION);
            writeString(out, v.protocolType() == null ? "" : v.protocolType());
            out.writeInt(v.generation());
            writeString(out, v.protocol());
            writeString(out, v.leader());
            out.writeLong(v.stateTimestampMs());
            out.writeInt(v.members().size());
            for (MemberValue m : v.members()) {
                writeString(out, m.memberId());
                writeString(out, m.groupInstanceId());
                writeString(out, m.clientId());
                writeString(out, m.clientHost());
                out.writeInt(m.rebalanceTimeoutMs());
                out.writeInt(m.sessionTimeoutMs());
                writeBytes(out, m.subscription());
                writeBytes(out, m.assignment());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads value versions 0-3 (0 lacks the timestamp, 0-2 lack the instance id, 0 the rebalance timeout). */
    static Value readValue(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        if (version < 0 || version > 3) throw new IllegalArgumentException("group metadata value version " + version);
        String type = readString(b);
        int generation = b.getInt();
        String protocol = readString(b);
        String leader = readString(b);
        long ts = version >= 2 ? b.getLong() : -1;
        int n = b.getInt();
        List<MemberValue> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = readString(b);
            String instance = version >= 3 ? readString(b) : null;
            String client = readString(b);
            String host = readString(b);
            int rebalance = version >= 1 ? b.getInt() : -1;
            int session = b.getInt();
            if (rebalance < 0) rebalance = session;
            members.add(new MemberValue(id, instance, client, host, rebalance, session, readBytes(b), readBytes(b)));
        }
        return new Value(type, generation, protocol, leader, ts, members);
    }
}
