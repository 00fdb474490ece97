package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Topic;
import dev.skiff.broker.api.ApiHandler;
import dev.skiff.it.Poll;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.message.ResponseHeaderData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import dev.skiff.protocol.types.Uuid;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of requests, over real sockets: every API Skiff serves at every version it answers, built
 * from the generated request classes with random field values, half of them then mutated (truncated, bits
 * flipped, a length made huge, bytes appended, the frame size lying), some well-formed ones pipelined in runs
 * of up to 12. The properties: each request is answered, in order, with an answer that parses (or, for a
 * mutated one, the connection is closed), nothing hangs, no fetch is left waiting once the connections are
 * gone, and afterwards the broker serves a fresh client and restarts with the Survival baseline intact.
 * Fixed seeds plus two new ones per run (printed, to replay: {@code -Dskiff.random.seeds=1,2}); bounded in
 * count and time.
 */
class RandomRequestsPropertyTest {

    private static final long[] FIXED_SEEDS = {1, 7, 42, 1_234, 20_261_204};
    private static final int NEW_SEEDS = 2;
    private static final int REQUESTS_PER_SEED = 1_000;
    private static final long BUDGET_NANOS = 60_000_000_000L;
    /** A request Skiff may legitimately park (long poll, rebalance): no answer in this time is not a hang. */
    private static final Set<ApiKeys> MAY_WAIT = Set.of(ApiKeys.FETCH, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP);

    private static final int ANSWER_TIMEOUT_MS = 5_000;
    private static final int PING_CORRELATION_ID = -7;

    /** Names random strings are drawn from: topics and groups of the run, internal topics, junk; never Survival's. */
    private static final String[] NAMES = {
        "t0",
        "t1",
        "t2",
        "g0",
        "g1",
        "txn0",
        "",
        "fuzz",
        "__consumer_offsets",
        "__transaction_state",
        "..",
        "a/b",
        "x".repeat(300),
        "é☃"
    };
    /**
     * Deleting or re-partitioning a topic is an administrator's right (Kafka allows it on its internal topics
     * too): those requests never name the internal topics, whose loss would take Survival's offset with them.
     */
    private static final Set<ApiKeys> DESTRUCTIVE =
            Set.of(ApiKeys.DELETE_TOPICS, ApiKeys.DELETE_RECORDS, ApiKeys.CREATE_PARTITIONS);

    private static final String[] USER_NAMES =
            Arrays.stream(NAMES).filter(n -> !n.startsWith("__")).toArray(String[]::new);

    @Test
    void randomAndMutatedRequestsLeaveTheBrokerServingAndIntact() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("group.initial.rebalance.delay.ms", "0")
                .start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic("t0", 2);
            broker.createTopic("t1", 1);
            List<ApiHandler<?>> served =
                    new ArrayList<>(InsideBroker.of(broker).handlers().all());
            served.sort(Comparator.comparing(h -> h.api().id()));

            List<String> findings = new ArrayList<>();
            long deadline = System.nanoTime() + BUDGET_NANOS;
            int sent = 0;
            for (long seed : seeds()) {
                Run run = new Run(broker, served, seed, findings);
                sent += run.play(deadline);
                System.out.println("RandomRequestsPropertyTest seed " + seed + ": " + run.summary());
            }
            System.out.println("RandomRequestsPropertyTest: " + sent + " requests, " + findings.size() + " findings");
            findings.forEach(f -> System.out.println("  " + f));
            assertTrue(
                    findings.isEmpty(),
                    findings.size() + " requests broke a property:\n" + String.join("\n", findings));
            // every connection of the run is closed: nothing of theirs may still wait in the broker
            for (String topic : List.of("t0", "t1")) {
                Topic t = InsideBroker.of(broker).topics().get(topic); // null if a request of the run deleted it
                for (Partition partition : t == null ? List.<Partition>of() : t.partitions()) {
                    Poll.until("no fetch left waiting on " + partition.id(), partition::waiterCount, n -> n == 0);
                }
            }

            survival.assertServedAndRestartsIntact();
        }
    }

    private static long[] seeds() {
        String replay = System.getProperty("skiff.random.seeds");
        if (replay != null && !replay.isBlank()) {
            return Arrays.stream(replay.split(","))
                    .mapToLong(s -> Long.parseLong(s.trim()))
                    .toArray();
        }
        long[] all = Arrays.copyOf(FIXED_SEEDS, FIXED_SEEDS.length + NEW_SEEDS);
        for (int i = FIXED_SEEDS.length; i < all.length; i++)
            all[i] = ThreadLocalRandom.current().nextLong();
        return all;
    }

    /** One request as sent: what it was, how it was mangled, and whether the frame size still tells the truth. */
    private record Sent(ApiKeys api, short version, int correlationId, String mutation, boolean framed, byte[] bytes) {
        boolean mutated() {
            return mutation != null;
        }

        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 96));
            return api + " v" + version + " (" + (mutation == null ? "valid" : mutation) + ", " + bytes.length
                    + " bytes: " + hex + (bytes.length > 96 ? "..." : "") + ")";
        }
    }

    /** The requests of one seed, over as many connections as the broker closes. */
    private static final class Run {
        private final EmbeddedSkiff broker;
        private final List<ApiHandler<?>> served;
        private final long seed;
        private final List<String> findings;
        private final Random rnd;
        private int answered;
        private int closed;
        private int parked;
        private int unbuildable;
        private Socket socket;
        private DataInputStream in;

        Run(EmbeddedSkiff broker, List<ApiHandler<?>> served, long seed, List<String> findings) {
            this.broker = broker;
            this.served = served;
            this.seed = seed;
            this.findings = findings;
            this.rnd = new Random(seed);
        }

        String summary() {
            return answered + " answered, " + closed + " closed by the broker, " + parked + " parked, " + unbuildable
                    + " left at defaults";
        }

        int play(long deadline) throws IOException {
            int i = 0;
            try {
                while (i < REQUESTS_PER_SEED && System.nanoTime() < deadline) {
                    // now and then a pipelined run of well-formed requests, answered in order
                    List<Sent> batch = new ArrayList<>();
                    int size = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(11) : 1;
                    for (int k = 0; k < size; k++) batch.add(next(i + k + 1, size == 1));
                    if (socket == null) connect();
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    for (Sent sent : batch) bytes.writeBytes(sent.bytes);
                    int first = i;
                    i += size;
                    if (!send(bytes.toByteArray())) {
                        closed++;
                        disconnect();
                        continue;
                    }
                    if (!batch.get(0).framed) {
                        // the size prefix lies: the broker waits for bytes that never come, or closes; drop it
                        disconnect();
                        continue;
                    }
                    check(first, batch);
                }
            } finally {
                disconnect();
            }
            return i;
        }

        private void connect() throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), broker.port());
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
        }

        private void disconnect() {
            if (socket == null) return;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken socket
            }
            socket = null;
        }

        private boolean send(byte[] bytes) {
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                return true;
            } catch (IOException e) {
                return false; // the broker closed the connection on an earlier request
            }
        }

        /** Sends a ping after the requests and reads up to its answer: theirs (if any) come first, in order. */
        private void check(int index, List<Sent> batch) {
            Sent sent = batch.get(0); // a batch of several holds well-formed requests only
            String where = "seed " + seed
                    + (batch.size() == 1
                            ? " request " + (index + 1) + ": " + sent
                            : " requests " + (index + 1) + "-" + (index + batch.size()) + ", pipelined: " + batch);
            ArrayDeque<Sent> awaited = new ArrayDeque<>();
            for (Sent s : batch) if (!s.mutated() && expectedAnswers(s) == 1) awaited.add(s);
            boolean mayWait = batch.stream().anyMatch(s -> MAY_WAIT.contains(s.api));
            if (!send(ping())) {
                closed++;
                disconnect();
                return;
            }
            int answers = 0;
            try {
                while (true) {
                    int size = in.readInt();
                    if (size < 4) {
                        findings.add(where + " -> answer frame of " + size + " bytes");
                        disconnect();
                        return;
                    }
                    byte[] frame = new byte[size];
                    in.readFully(frame);
                    int correlationId = ByteBuffer.wrap(frame).getInt();
                    if (correlationId == PING_CORRELATION_ID) break;
                    answers++;
                    if (sent.mutated()) continue;
                    Sent answeredOne = awaited.poll();
                    if (answeredOne == null)
                        findings.add(where + " -> an answer (" + correlationId + ") nobody asked for");
                    else checkAnswer(where, answeredOne, frame);
                }
                answered += batch.size();
                if (!awaited.isEmpty()) findings.add(where + " -> " + awaited.size() + " answers missing");
                if (sent.mutated() && answers > 1) findings.add(where + " -> " + answers + " answers to one request");
            } catch (SocketTimeoutException e) {
                parked++;
                if (!sent.mutated() && !mayWait) {
                    findings.add(where + " -> neither answered nor closed within " + ANSWER_TIMEOUT_MS + " ms");
                }
                disconnect();
            } catch (EOFException | SocketException e) {
                closed++;
                if (!sent.mutated()) findings.add(where + " -> connection closed on a well-formed request");
                disconnect();
            } catch (IOException e) {
                findings.add(where + " -> " + e);
                disconnect();
            }
        }

        /** Produce with acks=0 is the one request Kafka does not answer. */
        private static int expectedAnswers(Sent sent) {
            if (sent.api != ApiKeys.PRODUCE) return 1;
            int headerEnd = 4 + headerSize(sent);
            // Produce: v3+ starts with transactional_id (nullable string, compact from v9), then acks
            ByteBuffer b = ByteBuffer.wrap(sent.bytes, headerEnd, sent.bytes.length - headerEnd);
            if (sent.version >= 3) {
                if (sent.version >= 9) {
                    int n = readUnsignedVarint(b) - 1;
                    if (n > 0) b.position(b.position() + n);
                } else {
                    short n = b.getShort();
                    if (n > 0) b.position(b.position() + n);
                }
            }
            return b.getShort() == 0 ? 0 : 1;
        }

        private static int headerSize(Sent sent) {
            ProtocolWriter w = new ProtocolWriter();
            header(sent.api, sent.version, sent.correlationId).write(w, sent.api.requestHeaderVersion(sent.version));
            return w.toByteArray().length;
        }

        private static int readUnsignedVarint(ByteBuffer b) {
            int value = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b.get();
                value |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return value;
            }
        }

        private void checkAnswer(String where, Sent sent, byte[] frame) {
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            try {
                ResponseHeaderData header = new ResponseHeaderData(buf, sent.api.responseHeaderVersion(sent.version));
                if (header.correlationId() != sent.correlationId) {
                    findings.add(where + " -> answer with correlation id " + header.correlationId());
                    return;
                }
                sent.api.parseResponse(buf, sent.version);
                if (buf.isReadable()) findings.add(where + " -> " + buf.readableBytes() + " bytes after the answer");
            } catch (RuntimeException e) {
                findings.add(where + " -> answer does not parse: " + e);
            }
        }

        private static byte[] ping() {
            return frame(ApiKeys.API_VERSIONS, (short) 0, PING_CORRELATION_ID, ApiKeys.API_VERSIONS.newRequest());
        }

        // ---- building requests ----

        private Sent next(int correlationId, boolean mayMutate) {
            ApiHandler<?> h = served.get(rnd.nextInt(served.size()));
            short version = (short) (h.minVersion() + rnd.nextInt(h.maxVersion() - h.minVersion() + 1));
            byte[] bytes = build(h.api(), version, correlationId);
            if (!mayMutate || rnd.nextBoolean()) return new Sent(h.api(), version, correlationId, null, true, bytes);
            return mutate(h.api(), version, correlationId, bytes);
        }

        /** Random values that the version can carry; after a few tries, the schema defaults. */
        private byte[] build(ApiKeys api, short version, int correlationId) {
            for (int attempt = 0; attempt < 8; attempt++) {
                ApiMessage body = api.newRequest();
                fill(body, api, 0);
                try {
                    return frame(api, version, correlationId, body);
                } catch (RuntimeException e) {
                    // a value this version cannot carry (a field it lacks, a null where none is allowed)
                }
            }
            unbuildable++;
            try {
                return frame(api, version, correlationId, api.newRequest());
            } catch (RuntimeException e) {
                return frame(api, version, correlationId, null);
            }
        }

        private static RequestHeaderData header(ApiKeys api, short version, int correlationId) {
            return new RequestHeaderData()
                    .setRequestApiKey(api.id())
                    .setRequestApiVersion(version)
                    .setCorrelationId(correlationId)
                    .setClientId("random");
        }

        private static byte[] frame(ApiKeys api, short version, int correlationId, ApiMessage body) {
            ProtocolWriter w = new ProtocolWriter();
            header(api, version, correlationId).write(w, api.requestHeaderVersion(version));
            if (body != null) body.write(w, version);
            byte[] payload = w.toByteArray();
            return ByteBuffer.allocate(4 + payload.length)
                    .putInt(payload.length)
                    .put(payload)
                    .array();
        }

        private void fill(Object message, ApiKeys api, int depth) {
            for (Method setter : setters(message.getClass())) {
                if (rnd.nextInt(4) == 0) continue; // keep some defaults
                Object value = value(
                        setter.getName(),
                        setter.getParameterTypes()[0],
                        setter.getGenericParameterTypes()[0],
                        api,
                        depth);
                try {
                    setter.invoke(message, value);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(setter.toString(), e);
                }
            }
        }

        private static List<Method> setters(Class<?> type) {
            List<Method> setters = new ArrayList<>();
            for (Method m : type.getMethods()) {
                if (m.getName().startsWith("set")
                        && m.getParameterCount() == 1
                        && !Modifier.isStatic(m.getModifiers())) {
                    setters.add(m);
                }
            }
            setters.sort(Comparator.comparing(Method::getName)); // getMethods() has no order: seeds must replay
            return setters;
        }

        private Object value(String setter, Class<?> type, Type generic, ApiKeys api, int depth) {
            if (type == boolean.class) return rnd.nextBoolean();
            if (type == byte.class) return (byte) integer(setter, api);
            if (type == short.class) return (short) integer(setter, api);
            if (type == int.class) return integer(setter, api);
            if (type == long.class) return rnd.nextInt(3) == 0 ? rnd.nextLong() : (long) integer(setter, api);
            if (type == double.class) return rnd.nextDouble();
            if (type == String.class) return rnd.nextInt(10) == 0 ? null : name(api);
            if (type == byte[].class) return rnd.nextInt(5) == 0 ? null : bytes(rnd.nextInt(24));
            if (type == Uuid.class) return rnd.nextBoolean() ? Uuid.ZERO : new Uuid(rnd.nextLong(), rnd.nextLong());
            if (type == RecordsData.class) return records();
            if (type == List.class) {
                Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
                int n = depth >= 3 ? 0 : rnd.nextInt(4);
                if (rnd.nextInt(12) == 0) return null;
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < n; i++) list.add(element((Class<?>) element, setter, api, depth + 1));
                return list;
            }
            return depth >= 3 ? newInstance(type) : struct(type, api, depth + 1);
        }

        private Object element(Class<?> type, String setter, ApiKeys api, int depth) {
            if (type == Integer.class) return integer(setter, api);
            if (type == Long.class) return (long) integer(setter, api);
            if (type == Short.class) return (short) integer(setter, api);
            if (type == Byte.class) return (byte) integer(setter, api); // []int8, e.g. acknowledgement types
            if (type == String.class) return name(api);
            if (type == Uuid.class) return new Uuid(rnd.nextLong(), rnd.nextLong());
            return struct(type, api, depth);
        }

        private Object struct(Class<?> type, ApiKeys api, int depth) {
            Object s = newInstance(type);
            fill(s, api, depth);
            return s;
        }

        private static Object newInstance(Class<?> type) {
            try {
                return type.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no default constructor: " + type, e);
            }
        }

        /**
         * Mostly small or boundary numbers; long waits kept short (a parked request is not what this test is
         * about), and partition counts small (creating millions of partitions is the admin's right, not a bug).
         */
        private int integer(String setter, ApiKeys api) {
            String s = setter.toLowerCase();
            if (s.contains("maxwait") || s.contains("timeout")) return rnd.nextInt(50);
            if (s.contains("numpartitions") || s.contains("count") || s.contains("replicationfactor")) {
                return rnd.nextInt(8) - 2;
            }
            return switch (rnd.nextInt(6)) {
                case 0 -> -1;
                case 1 -> rnd.nextInt(4);
                case 2 -> rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
                case 3 -> rnd.nextInt(1 << 16) - (1 << 15);
                default -> rnd.nextInt();
            };
        }

        private String name(ApiKeys api) {
            String[] names = DESTRUCTIVE.contains(api) ? USER_NAMES : NAMES;
            return names[rnd.nextInt(names.length)];
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }

        private RecordsData records() {
            switch (rnd.nextInt(5)) {
                case 0:
                    return null;
                case 1:
                    return BufferRecords.EMPTY;
                case 2:
                    return BufferRecords.of(ByteBuffer.wrap(bytes(rnd.nextInt(80))));
                default:
                    CompressionType[] codecs = CompressionType.values();
                    RecordBatchBuilder b = new RecordBatchBuilder(codecs[rnd.nextInt(codecs.length)]);
                    if (rnd.nextBoolean()) b.producer(rnd.nextInt(5) - 1, (short) rnd.nextInt(3), rnd.nextInt(5) - 1);
                    if (rnd.nextInt(4) == 0) b.transactional(true);
                    int records = 1 + rnd.nextInt(4);
                    for (int i = 0; i < records; i++) {
                        b.append(
                                System.currentTimeMillis(),
                                rnd.nextBoolean() ? null : bytes(4),
                                bytes(rnd.nextInt(64)));
                    }
                    ByteBuffer batch = b.build();
                    if (rnd.nextInt(3) == 0 && batch.remaining() > 0) {
                        int at = batch.position() + rnd.nextInt(batch.remaining());
                        batch.put(at, (byte) (batch.get(at) ^ (1 << rnd.nextInt(8))));
                    }
                    return BufferRecords.of(batch);
            }
        }

        // ---- mutations of a well-formed frame ----

        private Sent mutate(ApiKeys api, short version, int correlationId, byte[] valid) {
            byte[] b = valid.clone();
            int body = b.length - 4;
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    int keep = rnd.nextInt(Math.max(1, body));
                    byte[] cut = Arrays.copyOf(b, 4 + keep);
                    ByteBuffer.wrap(cut).putInt(0, keep);
                    return new Sent(
                            api, version, correlationId, "truncated to " + keep + " of " + body + " bytes", true, cut);
                }
                case 1 -> {
                    int flips = 1 + rnd.nextInt(8);
                    for (int i = 0; i < flips && body > 0; i++) {
                        int at = 4 + rnd.nextInt(body);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    return new Sent(api, version, correlationId, flips + " bits flipped", true, b);
                }
                case 2 -> {
                    // a length or count made huge, negative or just past the end
                    int[] lengths = {0x7fffffff, 0xffffffff, 0x7fff, 0xffff, body, 0x10000};
                    int at = 4 + rnd.nextInt(Math.max(1, body - 1));
                    int value = lengths[rnd.nextInt(lengths.length)];
                    if (rnd.nextBoolean() && at + 4 <= b.length)
                        ByteBuffer.wrap(b).putInt(at, value);
                    else if (at + 2 <= b.length) ByteBuffer.wrap(b).putShort(at, (short) value);
                    else b[at] = (byte) value;
                    return new Sent(
                            api,
                            version,
                            correlationId,
                            "length 0x" + Integer.toHexString(value) + " at " + at,
                            true,
                            b);
                }
                case 3 -> {
                    byte[] longer = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(64));
                    for (int i = b.length; i < longer.length; i++) longer[i] = (byte) rnd.nextInt();
                    ByteBuffer.wrap(longer).putInt(0, longer.length - 4);
                    return new Sent(
                            api, version, correlationId, (longer.length - b.length) + " bytes appended", true, longer);
                }
                case 4 -> {
                    // the varint lengths of flexible versions: a byte with the continuation bit forever
                    int at = 4 + rnd.nextInt(Math.max(1, body));
                    int run = Math.min(b.length - at, 1 + rnd.nextInt(6));
                    for (int i = 0; i < run; i++) b[at + i] = (byte) 0xff;
                    return new Sent(api, version, correlationId, run + " bytes of 0xff at " + at, true, b);
                }
                default -> {
                    int[] sizes = {
                        body + 1 + rnd.nextInt(1000), -1 - rnd.nextInt(100), Integer.MAX_VALUE, 200 * 1024 * 1024
                    };
                    int size = sizes[rnd.nextInt(sizes.length)];
                    ByteBuffer.wrap(b).putInt(0, size);
                    return new Sent(
                            api, version, correlationId, "frame size " + size + " for " + body + " bytes", false, b);
                }
            }
        }
    }
}
