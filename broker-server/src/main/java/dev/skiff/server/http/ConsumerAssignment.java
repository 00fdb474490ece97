package dev.skiff.server.http;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the partitions out of a classic consumer group member's assignment (Kafka's ConsumerProtocolAssignment:
 * int16 version, then an array of topic and partition list; later fields are ignored). Bytes that do not read
 * as one give an empty list: the console shows what it can and never fails on a client's bytes.
 */
final class ConsumerAssignment {

    private ConsumerAssignment() {}

    static List<Object> decode(byte[] bytes) {
        List<Object> out = new ArrayList<>();
        if (bytes == null || bytes.length < 6) return out;
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            b.getShort(); // version
            int topics = b.getInt();
            if (topics < 0 || topics > b.remaining()) return List.of();
            for (int i = 0; i < topics; i++) {
                short len = b.getShort();
                if (len < 0 || len > b.remaining()) return List.of();
                byte[] name = new byte[len];
                b.get(name);
                int n = b.getInt();
                if (n < 0 || n > b.remaining() / 4) return List.of();
                List<Integer> partitions = new ArrayList<>();
                for (int j = 0; j < n; j++) partitions.add(b.getInt());
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("topic", new String(name, StandardCharsets.UTF_8));
                t.put("partitions", partitions);
                out.add(t);
            }
            return out;
        } catch (BufferUnderflowException e) {
            return List.of();
        }
    }
}
