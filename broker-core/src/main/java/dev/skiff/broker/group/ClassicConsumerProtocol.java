package dev.skiff.broker.group;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The classic consumer protocol's subscription and assignment bytes (the JoinGroup metadata and SyncGroup
 * assignment of protocol type "consumer"), for classic members of a consumer group: Skiff reads their topics and
 * owned partitions and writes the assignment the server computed.
 */
final class ClassicConsumerProtocol {

    /** A classic member's subscription: topics, and the partitions it still owns (v1+; empty before). */
    record Subscription(List<String> topics, Map<String, List<Integer>> owned) {}

    private ClassicConsumerProtocol() {}

    /** The subscription, or null when the bytes are not a readable one. */
    static Subscription subscription(byte[] metadata) {
        if (metadata == null) return null;
        try {
            ByteBuffer b = ByteBuffer.wrap(metadata);
            short version = b.getShort();
            if (version < 0) return null;
            List<String> topics = strings(b);
            if (topics == null) return null;
            Map<String, List<Integer>> owned = new LinkedHashMap<>();
            int userData = b.getInt();
            if (userData > b.remaining()) return null;
            if (userData > 0) b.position(b.position() + userData);
            if (version >= 1 && b.remaining() >= 4) {
                owned = topicPartitions(b);
                if (owned == null) return null;
            }
            return new Subscription(topics, owned);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The partitions of an assignment, or null when unreadable. */
    static Map<String, List<Integer>> assignment(byte[] bytes) {
        if (bytes == null || bytes.length == 0) return new LinkedHashMap<>();
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getShort() < 0) return null;
            return topicPartitions(b);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    /** An assignment at version 0 without user data, which every consumer reads. */
    static byte[] encodeAssignment(Map<String, List<Integer>> partitions) {
        return encodeAssignment((short) 0, partitions);
    }

    /**
     * The version of a subscription's bytes as an assignment version (0 to 3, which share one layout), the way
     * Kafka answers a member in the version it subscribed with; 0 when unreadable.
     */
    static short assignmentVersion(byte[] subscription) {
        if (subscription == null || subscription.length < 2) return 0;
        short v = ByteBuffer.wrap(subscription).getShort();
        return (short) Math.max(0, Math.min(3, v));
    }

    /** An assignment without user data at {@code version} (0 to 3: the same fields in each). */
    static byte[] encodeAssignment(short version, Map<String, List<Integer>> partitions) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(version);
            out.writeInt(partitions.size());
            for (Map.Entry<String, List<Integer>> e : partitions.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(e.getValue().size());
                for (int p : e.getValue()) out.writeInt(p);
            }
            out.writeInt(-1); // no user data
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<String> strings(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 2) return null;
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String s = string(b);
            if (s == null) return null;
            out.add(s);
        }
        return out;
    }

    private static String string(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0 || len > b.remaining()) return null;
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static Map<String, List<Integer>> topicPartitions(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 6) return null;
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String topic = string(b);
            if (topic == null) return null;
            int count = b.getInt();
            if (count < 0 || count > b.remaining() / 4) return null;
            List<Integer> ps = out.computeIfAbsent(topic, x -> new ArrayList<>());
            for (int j = 0; j < count; j++) ps.add(b.getInt());
        }
        return out;
    }
}
