package dev.skiff.protocol;

import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Fills every field of one of our generated messages with distinct, non-default values, through its setters. */
final class MessageFiller {

    private final Random random;

    MessageFiller(long seed) {
        this.random = new Random(seed);
    }

    <T> T fill(T message) {
        try {
            fillStruct(message, 0);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return message;
    }

    private void fillStruct(Object message, int depth) throws ReflectiveOperationException {
        for (Method m : message.getClass().getDeclaredMethods()) {
            if (!m.getName().startsWith("set") || m.getParameterCount() != 1) continue;
            m.invoke(message, value(m.getParameterTypes()[0], m.getGenericParameterTypes()[0], depth));
        }
    }

    private Object value(Class<?> type, Type generic, int depth) throws ReflectiveOperationException {
        if (type == byte.class) return (byte) (1 + random.nextInt(100));
        if (type == short.class) return (short) (1 + random.nextInt(30000));
        if (type == int.class) return 1 + random.nextInt(60000); // fits uint16 too
        if (type == long.class) return 1 + (long) random.nextInt(Integer.MAX_VALUE); // fits uint32 too
        if (type == double.class) return random.nextDouble() + 0.5;
        if (type == boolean.class) return true;
        if (type == String.class) return "s" + random.nextInt(1000);
        if (type == byte[].class) return new byte[] {(byte) random.nextInt(), 7, 8};
        if (type == Uuid.class) return new Uuid(random.nextLong() | 1, random.nextLong() | 1);
        if (type == RecordsData.class) {
            byte[] bytes = new byte[5 + random.nextInt(20)];
            random.nextBytes(bytes);
            return new BufferRecords(Unpooled.wrappedBuffer(bytes));
        }
        if (type == List.class) {
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            Class<?> elementClass = (Class<?>) element;
            List<Object> list = new ArrayList<>();
            int n = depth > 3 ? 1 : 2;
            for (int i = 0; i < n; i++) list.add(boxedValue(elementClass, depth + 1));
            return list;
        }
        Object struct = type.getConstructor().newInstance();
        fillStruct(struct, depth + 1);
        return struct;
    }

    private Object boxedValue(Class<?> boxed, int depth) throws ReflectiveOperationException {
        if (boxed == Byte.class) return value(byte.class, byte.class, depth);
        if (boxed == Short.class) return value(short.class, short.class, depth);
        if (boxed == Integer.class) return value(int.class, int.class, depth);
        if (boxed == Long.class) return value(long.class, long.class, depth);
        if (boxed == Double.class) return value(double.class, double.class, depth);
        if (boxed == Boolean.class) return true;
        return value(boxed, boxed, depth);
    }
}
