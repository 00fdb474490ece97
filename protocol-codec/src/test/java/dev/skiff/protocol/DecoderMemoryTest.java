package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Heap taken by decoding the worst requests we can build, as a multiple of their size. For every request API
 * and version, every array field (top level and inside the first element of a top-level struct array) is
 * filled with as many of its cheapest elements as fit in about {@link #SIZE} bytes: distinct numbers (no
 * boxing cache helps), one-character strings, empty byte arrays, default structs. The bytes the decoding
 * thread allocates are measured (an upper bound of what the decoded request holds, garbage included).
 * A request that claims more elements than it carries is measured the same way.
 */
class DecoderMemoryTest {

    private static final int SIZE = 1024 * 1024;
    /** The bound this test holds the decoder to; the measured worst is printed. */
    private static final double MAX_MULTIPLE = 7;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    record Case(String name, int frameBytes, long allocated) {
        double multiple() {
            return (double) allocated / frameBytes;
        }
    }

    @Test
    void decodingHoldsASmallMultipleOfTheRequestSize() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            for (short v : versions(api)) {
                ApiMessage probe = api.newRequest();
                for (Method setter : listSetters(probe.getClass())) {
                    Case c = measure(api, v, setter, null);
                    if (c != null) cases.add(c);
                    // one level down: the array inside the first element of a top-level array of structs
                    Class<?> element = elementClass(setter);
                    if (isStruct(element)) {
                        for (Method inner : listSetters(element)) {
                            Case d = measure(api, v, setter, inner);
                            if (d != null) cases.add(d);
                        }
                    }
                }
            }
        }
        cases.sort(Comparator.comparingDouble(Case::multiple).reversed());
        System.out.printf(
                "decoder memory: %d request shapes of ~%d bytes; worst multiples of the request size:%n",
                cases.size(), SIZE);
        for (Case c : cases.subList(0, 8)) System.out.printf("  %6.1fx %s%n", c.multiple(), c.name());
        assertTrue(cases.size() > 150, "measured only " + cases.size() + " request shapes");
        Case worst = cases.get(0);
        assertTrue(
                worst.multiple() <= MAX_MULTIPLE,
                "decoding " + worst.name() + " took " + worst.multiple() + "x its size");
    }

    @Test
    void countsBeyondTheBytesLeftAllocateNothingLarge() {
        // Metadata v0: topics [string]; claims a million one-char strings (2 bytes each) but carries 1 KB
        ProtocolWriter w = header(ApiKeys.METADATA, (short) 0);
        w.writeInt32(1_000_000);
        for (int i = 0; i < 512; i++) w.writeString("a", false, false);
        byte[] frame = w.toByteArray();
        refuse(frame); // once to load the classes involved, whose loading the thread's allocation counts
        long before = allocated();
        assertThrows(MalformedRequestException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(frame)));
        long used = allocated() - before;
        assertTrue(used < 1024 * 1024, "a count the bytes cannot hold allocated " + used + " bytes");

        // CreateTopics v0 replica assignment broker ids [int32] claiming as many elements as bytes are left,
        // four times what they can hold
        ProtocolWriter c = header(ApiKeys.CREATE_TOPICS, (short) 0);
        c.writeInt32(1); // one topic
        c.writeString("t", false, false);
        c.writeInt32(-1); // num partitions
        c.writeInt16((short) -1); // replication factor
        c.writeInt32(1); // one assignment
        c.writeInt32(0); // partition index
        int left = 1 << 20;
        c.writeInt32(left); // broker ids: as many as bytes follow, but 4 bytes each
        for (int i = 0; i < left / 4; i++) c.writeInt32(i + 1000);
        byte[] claim = c.toByteArray();
        refuse(claim);
        long start = allocated();
        MalformedRequestException e =
                assertThrows(MalformedRequestException.class, () -> RequestParser.parse(Unpooled.wrappedBuffer(claim)));
        long took = allocated() - start;
        // sized from the count, the list alone would take 4 MB
        assertTrue(took < 1024 * 1024, "an int32 count of a quarter of the bytes left allocated " + took + " bytes");
    }

    private static void refuse(byte[] frame) {
        try {
            RequestParser.parse(Unpooled.wrappedBuffer(frame));
        } catch (MalformedRequestException expected) {
            return;
        }
        throw new AssertionError("the frame was decoded");
    }

    private static ProtocolWriter header(ApiKeys api, short version) {
        ProtocolWriter w = new ProtocolWriter();
        new dev.skiff.protocol.message.RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(1)
                .setClientId("m")
                .write(w, api.requestHeaderVersion(version));
        return w;
    }

    /** Fills the array {@code outer} (or {@code inner} inside outer's one element) and decodes the frame. */
    private static Case measure(ApiKeys api, short version, Method outer, Method inner) throws Exception {
        Method filled = inner == null ? outer : inner;
        int one = frameSize(api, version, outer, inner, 1);
        int two = frameSize(api, version, outer, inner, 2);
        if (one < 0 || two < 0 || two <= one) return null; // the field is not in this version
        int perElement = two - one;
        int n = Math.max(1, (SIZE - one) / perElement);
        byte[] frame = frame(api, version, outer, inner, n);
        if (frame == null) return null;
        long before = allocated();
        String outcome;
        try {
            RequestParser.parse(Unpooled.wrappedBuffer(frame));
            outcome = "decoded";
        } catch (MalformedRequestException e) {
            outcome = "refused";
        }
        long used = allocated() - before;
        String name = api + " v" + version + " " + outer.getName().substring(3)
                + (inner == null ? "" : "[0]." + inner.getName().substring(3)) + " x" + n + " of " + perElement + " B, "
                + outcome;
        return new Case(name, frame.length, used);
    }

    private static int frameSize(ApiKeys api, short version, Method outer, Method inner, int n) throws Exception {
        byte[] f = frame(api, version, outer, inner, n);
        return f == null ? -1 : f.length;
    }

    private static byte[] frame(ApiKeys api, short version, Method outer, Method inner, int n) throws Exception {
        ApiMessage body = api.newRequest();
        if (inner == null) {
            outer.invoke(body, elements(outer, n));
        } else {
            Object parent = elementClass(outer).getConstructor().newInstance();
            inner.invoke(parent, elements(inner, n));
            List<Object> one = new ArrayList<>();
            one.add(parent);
            outer.invoke(body, one);
        }
        ProtocolWriter w = header(api, version);
        try {
            body.write(w, version);
        } catch (ProtocolException | UnsupportedOperationException | IllegalArgumentException e) {
            return null; // a default this version cannot carry
        }
        return w.toByteArray();
    }

    /** {@code n} of the cheapest elements of the list the setter takes, none shared by the decoder. */
    private static List<Object> elements(Method setter, int n) throws Exception {
        Class<?> type = elementClass(setter);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object e;
            if (type == Integer.class) e = 1_000_000 + i;
            else if (type == Long.class) e = 1_000_000L + i;
            else if (type == Short.class) e = (short) (1000 + i % 30000);
            else if (type == Byte.class) e = (byte) i;
            else if (type == Boolean.class) e = Boolean.TRUE;
            else if (type == Double.class) e = 0.5 + i;
            else if (type == String.class) e = "a";
            else if (type == byte[].class) e = new byte[0];
            else if (type == dev.skiff.protocol.types.Uuid.class) e = new dev.skiff.protocol.types.Uuid(i + 1, i + 1);
            else e = type.getConstructor().newInstance();
            out.add(e);
        }
        return out;
    }

    /** The oldest, the first flexible and the newest version: where encodings change. */
    private static java.util.Set<Short> versions(ApiKeys api) {
        java.util.Set<Short> out = new java.util.TreeSet<>(List.of(api.lowestVersion(), api.highestVersion()));
        for (short v = api.lowestVersion(); v <= api.highestVersion(); v++) {
            if (api.isFlexible(v)) {
                out.add(v);
                break;
            }
        }
        return out;
    }

    private static List<Method> listSetters(Class<?> type) {
        List<Method> out = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().startsWith("set") && m.getParameterCount() == 1 && m.getParameterTypes()[0] == List.class) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(Method::getName));
        return out;
    }

    private static Class<?> elementClass(Method setter) {
        return (Class<?>) ((ParameterizedType) setter.getGenericParameterTypes()[0]).getActualTypeArguments()[0];
    }

    private static boolean isStruct(Class<?> type) {
        return Message.class.isAssignableFrom(type);
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
