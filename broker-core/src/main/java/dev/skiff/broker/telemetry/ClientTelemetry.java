package dev.skiff.broker.telemetry;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.Compression;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.CorruptRecordException;
import dev.skiff.protocol.records.InvalidRecordException;
import dev.skiff.protocol.types.Uuid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Client metrics (KIP-714): hands each client instance its subscription (what {@link TelemetryConfig} asks for)
 * and keeps the last metrics each one pushed, for the embedding application to read. The rules are Kafka's
 * broker's: a client gets a new instance id when it asks with none; asking again, or pushing, before its push
 * interval has passed is THROTTLING_QUOTA_EXCEEDED (a push right after a new subscription is allowed, as clients
 * jitter the first one); a push after a terminating push is INVALID_REQUEST; a subscription id the instance was
 * not given is UNKNOWN_SUBSCRIPTION_ID; an unknown codec UNSUPPORTED_COMPRESSION_TYPE; a payload over
 * {@code telemetry.max.bytes} as sent TELEMETRY_TOO_LARGE; one that does not decode INVALID_RECORD, as Kafka with a
 * receiver that decodes OTLP answers. Unlike Kafka, a compressed payload may inflate to at most
 * {@link #INFLATION_FACTOR} times {@code telemetry.max.bytes} (else TELEMETRY_TOO_LARGE).
 * The broker remembers at most {@code skiff.telemetry.max.clients} instances, the least recently heard from
 * forgotten first (such a client hears UNKNOWN_SUBSCRIPTION_ID and asks again). Nothing survives a restart:
 * clients re-subscribe, as they do when they move to another Kafka broker.
 */
public final class ClientTelemetry {

    /** The codecs clients may compress with, preferred first (Kafka's order). */
    public static final List<Byte> ACCEPTED_COMPRESSION_TYPES = List.of(
            (byte) CompressionType.ZSTD.id, (byte) CompressionType.LZ4.id, (byte) CompressionType.GZIP.id, (byte)
                    CompressionType.SNAPPY.id);

    /** Points kept from one push: a client's own metrics number a few hundred. */
    static final int MAX_POINTS_PER_PUSH = 10_000;

    /** What a client instance is asked to push. */
    public record Subscription(Uuid clientInstanceId, int subscriptionId, List<String> metrics, int pushIntervalMs) {}

    /** The last push of one client instance. */
    public record Push(
            Uuid clientInstanceId,
            String clientId,
            String clientAddress,
            String principal,
            long receivedAtMs,
            int pushes,
            boolean terminating,
            Map<String, String> resource,
            List<OtlpMetrics.Point> points) {}

    private final TelemetryConfig config;
    private final LongSupplier clock;
    /** Instances by id, least recently heard from first. */
    private final LinkedHashMap<Uuid, Instance> instances;

    public ClientTelemetry(TelemetryConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.instances = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Uuid, Instance> eldest) {
                return size() > config.maxClients();
            }
        };
    }

    public TelemetryConfig config() {
        return config;
    }

    /** GetTelemetrySubscriptions: the subscription of {@code requested} (a new instance for null or zero). */
    public synchronized Subscription subscribe(Uuid requested) {
        long now = clock.getAsLong();
        Uuid id = requested == null || requested.equals(Uuid.ZERO) ? newId() : requested;
        Instance instance = instance(id);
        long last = Math.max(instance.lastGetMs, instance.lastPushMs);
        boolean due = instance.lastGetMs < 0 && instance.lastPushMs < 0 || now - last >= config.pushIntervalMs();
        if (!due
                && instance.lastError != Errors.UNKNOWN_SUBSCRIPTION_ID
                && instance.lastError != Errors.UNSUPPORTED_COMPRESSION_TYPE)
            throw new ApiException(
                    Errors.THROTTLING_QUOTA_EXCEEDED,
                    "Request from the client [" + id + "] arrived before the next push interval time");
        instance.lastGetMs = now;
        instance.lastError = Errors.NONE;
        return new Subscription(id, instance.subscriptionId, config.metrics(), config.pushIntervalMs());
    }

    /** PushTelemetry: checks the push, then keeps its metrics (unless the store is off). */
    public void push(
            Uuid id,
            int subscriptionId,
            boolean terminating,
            byte compressionType,
            byte[] metrics,
            String clientId,
            String clientAddress,
            String principal) {
        if (id == null || id.equals(Uuid.ZERO))
            throw new ApiException(
                    Errors.INVALID_REQUEST, "Invalid request from the client [" + id + "], invalid client instance id");
        Instance instance;
        synchronized (this) {
            instance = instance(id);
            try {
                check(instance, subscriptionId, terminating, compressionType, metrics);
            } catch (ApiException e) {
                instance.lastError = e.error();
                throw e;
            } finally {
                instance.terminating = terminating;
            }
        }
        Push push = null;
        // decoding runs outside the lock: one client's large payload does not hold up the others
        if (config.store() && metrics != null && metrics.length > 0) {
            try {
                byte[] plain = decompress(CompressionType.forId(compressionType), metrics);
                List<OtlpMetrics.Point> points = OtlpMetrics.points(plain, MAX_POINTS_PER_PUSH);
                Map<String, String> resource = OtlpMetrics.resource(plain);
                push = new Push(
                        id, clientId, clientAddress, principal, clock.getAsLong(), 0, terminating, resource, points);
            } catch (ApiException e) {
                record(instance, e.error());
                throw e;
            } catch (OtlpMetrics.MalformedMetricsException | CorruptRecordException | InvalidRecordException e) {
                record(instance, Errors.INVALID_RECORD);
                throw new ApiException(
                        Errors.INVALID_RECORD, "Telemetry from [" + id + "] is not OTLP metrics: " + e.getMessage());
            }
        }
        synchronized (this) {
            instance.lastError = Errors.NONE;
            instance.pushes++;
            if (push != null)
                instance.last = new Push(
                        push.clientInstanceId(),
                        push.clientId(),
                        push.clientAddress(),
                        push.principal(),
                        push.receivedAtMs(),
                        instance.pushes,
                        terminating,
                        push.resource(),
                        push.points());
        }
    }

    /** The last push of every client instance the broker remembers, least recently heard from first. */
    public synchronized List<Push> lastPushes() {
        List<Push> out = new ArrayList<>();
        for (Instance i : instances.values()) if (i.last != null) out.add(i.last);
        return out;
    }

    private void check(Instance instance, int subscriptionId, boolean terminating, byte compression, byte[] metrics) {
        Uuid id = instance.id;
        if (instance.terminating)
            throw new ApiException(
                    Errors.INVALID_REQUEST,
                    "Client [" + id + "] sent the previous request with state terminating to TRUE, can not accept"
                            + " any requests after that");
        long now = clock.getAsLong();
        // the first push after a subscription may come early: clients jitter it
        boolean due = instance.lastGetMs > instance.lastPushMs
                || now - Math.max(instance.lastGetMs, instance.lastPushMs) >= config.pushIntervalMs();
        if (!due && !terminating)
            throw new ApiException(
                    Errors.THROTTLING_QUOTA_EXCEEDED,
                    "Request from the client [" + id + "] arrived before the next push interval time");
        if (due) instance.lastPushMs = now;
        if (subscriptionId != instance.subscriptionId)
            throw new ApiException(
                    Errors.UNKNOWN_SUBSCRIPTION_ID, "Unknown client subscription id for the client [" + id + "]");
        if (compression < 0 || compression > CompressionType.ZSTD.id)
            throw new ApiException(
                    Errors.UNSUPPORTED_COMPRESSION_TYPE,
                    "Unknown compression type [" + compression + "] is received in telemetry request from [" + id
                            + "]");
        if (metrics != null && metrics.length > config.maxBytes())
            throw new ApiException(
                    Errors.TELEMETRY_TOO_LARGE,
                    "Telemetry request from [" + id + "] is larger than the maximum allowed size [" + config.maxBytes()
                            + "]");
    }

    /**
     * How far a compressed push may inflate. Kafka bounds only what is sent ({@code telemetry.max.bytes} applies
     * to the compressed bytes) and inflates without limit; Skiff allows what real clients send, metrics text
     * compressing 5 to 10 times, and refuses a decompression bomb with TELEMETRY_TOO_LARGE.
     */
    static final int INFLATION_FACTOR = 16;

    private byte[] decompress(CompressionType type, byte[] metrics) {
        if (type == CompressionType.NONE) return metrics;
        long limit = Math.min((long) config.maxBytes() * INFLATION_FACTOR, Integer.MAX_VALUE - 16);
        // grows with what the stream really yields, never past the limit
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, metrics.length * 4L + 64));
        byte[] chunk = new byte[8 * 1024];
        try (InputStream in = Compression.wrapForInput(type, ByteBuffer.wrap(metrics))) {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (out.size() + (long) n > limit)
                    throw new ApiException(
                            Errors.TELEMETRY_TOO_LARGE,
                            "Telemetry decompresses to more than " + INFLATION_FACTOR
                                    + " times the maximum allowed size [" + config.maxBytes() + "]");
                out.write(chunk, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) throw a;
            throw new CorruptRecordException("Malformed " + type.configName + " data: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private synchronized void record(Instance instance, Errors error) {
        instance.lastError = error;
    }

    private Instance instance(Uuid id) {
        Instance i = instances.get(id);
        if (i == null) {
            i = new Instance(id, subscriptionId(id));
            instances.put(id, i);
        }
        return i;
    }

    /** Changes with what is asked and differs between instances, so a push under another subscription is caught. */
    private int subscriptionId(Uuid id) {
        return Objects.hash(config.metrics(), config.pushIntervalMs()) * 31 ^ id.hashCode();
    }

    private Uuid newId() {
        Uuid id = Uuid.random();
        while (id.equals(Uuid.ZERO) || instances.containsKey(id)) id = Uuid.random();
        return id;
    }

    private static final class Instance {
        final Uuid id;
        final int subscriptionId;
        long lastGetMs = -1;
        long lastPushMs = -1;
        boolean terminating;
        Errors lastError = Errors.NONE;
        int pushes;
        Push last;

        Instance(Uuid id, int subscriptionId) {
            this.id = id;
            this.subscriptionId = subscriptionId;
        }
    }
}
