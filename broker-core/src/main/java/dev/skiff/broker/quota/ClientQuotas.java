package dev.skiff.broker.quota;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces the byte-rate quotas of produce (producer_byte_rate) and fetch (consumer_byte_rate) as Kafka's
 * ClientQuotaManager does: the quota of a request is the most specific entity that sets the key, in Kafka's
 * order (user and client id, user and default client id, user, default user and client id, default user and
 * default client id, default user, client id, default client id); the bytes are measured in a sensor per matched
 * entity (so a default quota measures each user or client id on its own) as a rate over {@code quota.window.num}
 * samples of {@code quota.window.size.seconds}; a request that takes the rate over the quota is answered with
 * throttle time {@code (rate - quota) / quota * window}, Kafka's formula. request_percentage measures the time
 * spent handling a client's requests the same way (Kafka's ClientRequestQuotaManager: percent of one thread,
 * throttled at most one sample window). It also counts new connections per IP
 * against connection_creation_rate ({@link #recordConnection}).
 *
 * <p>Cheap on the data path: with no byte-rate quota set nothing is looked up; else one map lookup and one add
 * per request. A sensor idle for a whole window measures zero, so sensors idle that long are dropped
 * ({@link #expire}).
 */
public final class ClientQuotas {

    /** The quota types enforced. */
    public enum Type {
        PRODUCE(ClientQuotaAdmin.PRODUCER_BYTE_RATE),
        FETCH(ClientQuotaAdmin.CONSUMER_BYTE_RATE),
        /** request_percentage: the time handling a client's requests takes, in percent of one thread. */
        REQUEST(ClientQuotaAdmin.REQUEST_PERCENTAGE);

        final String key;

        Type(String key) {
            this.key = key;
        }
    }

    private record SensorKey(Type type, String user, String clientId) {}

    private final int samples;
    private final long windowMs;
    private final Map<SensorKey, Sensor> sensors = new ConcurrentHashMap<>();
    private final Map<InetAddress, Sensor> connectionSensors = new ConcurrentHashMap<>();
    /** connection_creation_rate by IP, and of the default IP entity (null: none). */
    private volatile Map<InetAddress, Double> connectionRates = Map.of();

    private volatile Double defaultConnectionRate;
    private volatile Map<QuotaEntity, Map<String, Double>> quotas = Map.of();
    private volatile boolean produceQuotas;
    private volatile boolean fetchQuotas;
    private volatile boolean requestQuotas;

    /** Kafka's quota.window.num (11) and quota.window.size.seconds (1). */
    public ClientQuotas(int samples, long windowMs) {
        if (samples < 1) throw new IllegalArgumentException("quota.window.num must be at least 1");
        if (windowMs < 1) throw new IllegalArgumentException("quota.window.size.seconds must be at least 1");
        this.samples = samples;
        this.windowMs = windowMs;
    }

    /** Takes a new table of quotas (a {@link ClientQuotaStore} listener). */
    public void update(Map<QuotaEntity, Map<String, Double>> table) {
        boolean produce = false;
        boolean fetch = false;
        boolean request = false;
        for (Map<String, Double> values : table.values()) {
            produce |= values.containsKey(Type.PRODUCE.key);
            fetch |= values.containsKey(Type.FETCH.key);
            request |= values.containsKey(Type.REQUEST.key);
        }
        Map<InetAddress, Double> rates = new HashMap<>();
        Double defaultRate = null;
        for (Map.Entry<QuotaEntity, Map<String, Double>> e : table.entrySet()) {
            Double rate = e.getValue().get(ClientQuotaAdmin.CONNECTION_CREATION_RATE);
            if (rate == null || !e.getKey().hasIp()) continue;
            if (e.getKey().ip() == null) {
                defaultRate = rate;
                continue;
            }
            try {
                rates.put(InetAddress.getByName(e.getKey().ip()), rate); // a literal, checked when stored
            } catch (UnknownHostException ex) {
                // stored only after ClientQuotaAdmin.isAddress: cannot happen
            }
        }
        connectionRates = Map.copyOf(rates);
        defaultConnectionRate = defaultRate;
        quotas = table;
        produceQuotas = produce;
        fetchQuotas = fetch;
        requestQuotas = request;
        // a sensor keeps measuring under its new bound; ones no longer matched go idle and expire
    }

    /** True when any quota of this type is set: when false, {@link #record} always answers 0. */
    public boolean active(Type type) {
        return switch (type) {
            case PRODUCE -> produceQuotas;
            case FETCH -> fetchQuotas;
            case REQUEST -> requestQuotas;
        };
    }

    /**
     * Records {@code value} (bytes; for REQUEST, percent of a thread-second: {@link #requestPercentage}) for the
     * client and answers how long it must be throttled (0: not at all). {@code user}
     * is the principal's name, {@code clientId} the request header's (null counts as "").
     */
    public long record(Type type, String user, String clientId, double value, long nowMs) {
        if (!active(type)) return 0;
        String u = Objects.toString(user, "");
        String c = Objects.toString(clientId, "");
        Map<QuotaEntity, Map<String, Double>> table = quotas;
        QuotaEntity matched = null;
        Double bound = null;
        for (QuotaEntity candidate : candidates(u, c)) {
            Map<String, Double> values = table.get(candidate);
            if (values != null && (bound = values.get(type.key)) != null) {
                matched = candidate;
                break;
            }
        }
        if (matched == null) return 0;
        SensorKey key = new SensorKey(type, matched.hasUser() ? u : "", matched.hasClientId() ? c : "");
        Sensor sensor = sensors.computeIfAbsent(key, k -> new Sensor(samples, windowMs));
        long throttle = sensor.recordAndThrottle(value, nowMs, bound);
        // Kafka's ClientRequestQuotaManager holds a client at most one sample window
        return type == Type.REQUEST ? Math.min(throttle, windowMs) : throttle;
    }

    /** Kafka's unit for request_percentage: the time, as a percentage of one second of one thread. */
    public static double requestPercentage(long nanos) {
        return nanos * 100.0 / 1_000_000_000L;
    }

    private static QuotaEntity[] candidates(String user, String clientId) {
        return new QuotaEntity[] {
            QuotaEntity.userAndClientId(user, clientId),
            QuotaEntity.userAndClientId(user, null),
            QuotaEntity.user(user),
            QuotaEntity.userAndClientId(null, clientId),
            QuotaEntity.userAndClientId(null, null),
            QuotaEntity.user(null),
            QuotaEntity.clientId(clientId),
            QuotaEntity.clientId(null)
        };
    }

    /**
     * Counts a new connection from {@code ip} against its connection_creation_rate (the IP's, else the default
     * IP's) and answers how long to hold it before closing it (0: accept it). As Kafka's ConnectionQuotas: a
     * refused connection is not counted, and the hold is at most one sample window.
     */
    public long recordConnection(InetAddress ip, long nowMs) {
        Map<InetAddress, Double> rates = connectionRates;
        Double bound = rates.isEmpty() ? null : rates.get(ip);
        if (bound == null) bound = defaultConnectionRate;
        if (bound == null) return 0;
        Sensor sensor = connectionSensors.computeIfAbsent(ip, k -> new Sensor(samples, windowMs));
        return sensor.recordConnection(nowMs, bound);
    }

    /** Drops sensors that recorded nothing for a whole window (they measure zero). */
    public void expire(long nowMs) {
        long idle = samples * windowMs;
        sensors.values().removeIf(s -> s.idleSince(nowMs) > idle);
        connectionSensors.values().removeIf(s -> s.idleSince(nowMs) > idle);
    }

    /** How many sensors are kept (for tests). */
    public int sensorCount() {
        return sensors.size();
    }

    /** Kafka's Rate over a SampledStat: {@code samples} windows of {@code windowMs}, the oldest replaced first. */
    static final class Sensor {
        private final long windowMs;
        private final long[] starts;
        private final double[] values;
        private int current;
        private volatile long lastRecordMs;

        Sensor(int samples, long windowMs) {
            this.windowMs = windowMs;
            this.starts = new long[samples];
            this.values = new double[samples];
            java.util.Arrays.fill(starts, Long.MIN_VALUE);
        }

        long idleSince(long nowMs) {
            return nowMs - lastRecordMs;
        }

        /** Records one connection; over the bound it is taken back and the throttle capped at one window. */
        synchronized long recordConnection(long nowMs, double bound) {
            long throttle = recordAndThrottle(1, nowMs, bound);
            if (throttle == 0) return 0;
            values[current] -= 1;
            return Math.min(throttle, windowMs);
        }

        synchronized long recordAndThrottle(double value, long nowMs, double bound) {
            lastRecordMs = nowMs;
            if (starts[current] == Long.MIN_VALUE) {
                starts[current] = nowMs;
            } else if (nowMs >= starts[current] + windowMs) {
                current = (current + 1) % starts.length;
                starts[current] = nowMs;
                values[current] = 0;
            }
            values[current] += value;
            // purge samples older than the whole window
            long expireBefore = nowMs - (long) starts.length * windowMs;
            double total = 0;
            long oldest = nowMs;
            for (int i = 0; i < starts.length; i++) {
                if (starts[i] == Long.MIN_VALUE) continue;
                if (starts[i] < expireBefore) {
                    starts[i] = Long.MIN_VALUE;
                    values[i] = 0;
                    continue;
                }
                total += values[i];
                oldest = Math.min(oldest, starts[i]);
            }
            long elapsed = nowMs - oldest;
            long fullWindows = elapsed / windowMs;
            long minFull = starts.length - 1;
            if (fullWindows < minFull) elapsed += (minFull - fullWindows) * windowMs;
            long window = Math.max(elapsed, 1);
            double rate = total * 1000.0 / window;
            if (!(rate > bound)) return 0;
            return (long) ((rate - bound) / bound * window);
        }
    }
}
