package dev.skiff.broker.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the topic list out of a consumer protocol subscription (the JoinGroup metadata of protocol type
 * "consumer"): int16 version, then an array of topic names; every version starts that way, and the rest
 * (user data, owned partitions, generation, rack) is not needed by the broker.
 */
public final class ConsumerSubscription {

    public static final String PROTOCOL_TYPE = "consumer";

    private ConsumerSubscription() {}

    /** The subscribed topics, or null when the bytes are not a readable subscription. */
    public static Set<String> topics(byte[] metadata) {
        if (metadata == null) return null;
        try {
            ByteBuffer b = ByteBuffer.wrap(metadata);
            b.getShort();
            int n = b.getInt();
            if (n < 0 || n > b.remaining() / 2) return null;
            Set<String> topics = new HashSet<>();
            for (int i = 0; i < n; i++) {
                short len = b.getShort();
                if (len < 0 || len > b.remaining()) return null;
                byte[] s = new byte[len];
                b.get(s);
                topics.add(new String(s, StandardCharsets.UTF_8));
            }
            return topics;
        } catch (BufferUnderflowException e) {
            return null;
        }
    }
}
