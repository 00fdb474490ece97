package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.Uuid;
import io.netty.buffer.ByteBufUtil;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;

/** Serialization with Kafka's own generated classes, and a field-by-field comparison of ours with theirs. */
final class KafkaOracle {

    private KafkaOracle() {}

    static byte[] kafkaBytes(Message message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buf = ByteBuffer.allocate(message.size(cache, version));
        message.write(new ByteBufferAccessor(buf), cache, version);
        assertFalse(buf.hasRemaining(), "Kafka's size matches what it wrote");
        return buf.array();
    }

    /** Reads bytes into an empty Kafka message, checking that it consumed them all. */
    static <M extends Message> M kafkaRead(M empty, byte[] bytes, short version) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        empty.read(new ByteBufferAccessor(buf), version);
        assertEquals(0, buf.remaining(), "Kafka consumed every byte");
        return empty;
    }

    static byte[] ourBytes(dev.skiff.protocol.Message message, short version) {
        ProtocolWriter w = new ProtocolWriter();
        message.write(w, version);
        return w.toByteArray();
    }

    /** Every field getter of ours (one with a matching setter) gives the same value as Kafka's getter. */
    static void assertSameFields(Object ours, Object kafka, String path) {
        for (Method getter : ours.getClass().getDeclaredMethods()) {
            if (getter.getParameterCount() != 0 || !hasSetter(ours.getClass(), getter.getName())) continue;
            Method theirs;
            try {
                theirs = kafka.getClass().getMethod(getter.getName());
            } catch (NoSuchMethodException e) {
                continue; // a field only the oldest versions have, which Kafka 4 no longer knows
            }
            try {
                Object ov = getter.invoke(ours);
                Object kv = theirs.invoke(kafka);
                assertSameValue(ov, kv, path + "." + getter.getName());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(path + "." + getter.getName(), e);
            }
        }
    }

    private static boolean hasSetter(Class<?> c, String field) {
        String setter = "set" + Character.toUpperCase(field.charAt(0)) + field.substring(1);
        return Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(setter));
    }

    private static void assertSameValue(Object ov, Object kv, String path) {
        if (ov == null || kv == null) {
            if (kv instanceof BaseRecords r && ov == null) {
                assertEquals(0, r.sizeInBytes(), path);
                return;
            }
            assertNull(ov, path);
            assertNull(kv, path);
            return;
        }
        if (ov instanceof Number || ov instanceof Boolean || ov instanceof String) {
            assertEquals(kv, ov, path);
        } else if (ov instanceof byte[] b) {
            assertArrayEquals(kv instanceof ByteBuffer kb ? bytes(kb) : (byte[]) kv, b, path); // zero-copy bytes
        } else if (ov instanceof Uuid u) {
            org.apache.kafka.common.Uuid k = (org.apache.kafka.common.Uuid) kv;
            assertEquals(k.getMostSignificantBits(), u.mostSignificantBits(), path);
            assertEquals(k.getLeastSignificantBits(), u.leastSignificantBits(), path);
        } else if (ov instanceof BufferRecords r) {
            ByteBuffer kb = ((MemoryRecords) kv).buffer();
            assertArrayEquals(ByteBufUtil.getBytes(r.buf()), bytes(kb), path);
        } else if (ov instanceof List<?> list) {
            Iterator<?> k = ((Iterable<?>) kv).iterator();
            int i = 0;
            for (Object o : list) {
                assertTrue(k.hasNext(), path + " has as many elements");
                assertSameValue(o, k.next(), path + "[" + i++ + "]");
            }
            assertFalse(k.hasNext(), path + " has as many elements");
        } else {
            assertSameFields(ov, kv, path);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
