package dev.skiff.broker.metrics;

import dev.skiff.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's running figures, kept as plain counters the data path bumps (one adder per event, no exporter
 * types): Kafka's BrokerTopicMetrics overall and per topic, RequestMetrics per API, and the open client
 * connections. {@link JmxMetrics} and the server's {@code /metrics} read them under Kafka's names; the gauges
 * (partition sizes, groups, lag) are computed when read, by {@link BrokerGauges}.
 */
public final class BrokerMetrics {

    /** Off (skiff.metrics.enable=false): nothing is counted; only to measure what counting costs. */
    private final boolean counting;

    private final TopicMeters allTopics = new TopicMeters();
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
    private final Map<ApiKeys, RequestMeters> requests = new ConcurrentHashMap<>();
    private final Map<Long, ClientConnection> connections = new ConcurrentHashMap<>();

    public BrokerMetrics() {
        this(true);
    }

    public BrokerMetrics(boolean counting) {
        this.counting = counting;
    }

    /** A produce append of {@code records} records in {@code bytes} bytes to a topic. */
    public void recordAppend(String topic, int records, int bytes) {
        if (!counting) return;
        TopicMeters t = topic(topic);
        t.messagesIn.mark(records);
        t.bytesIn.mark(bytes);
        allTopics.messagesIn.mark(records);
        allTopics.bytesIn.mark(bytes);
    }

    /** Record bytes a fetch hands to a client from a topic. */
    public void recordFetch(String topic, long bytes) {
        if (bytes <= 0 || !counting) return;
        topic(topic).bytesOut.mark(bytes);
        allTopics.bytesOut.mark(bytes);
    }

    /** One request answered after {@code nanos} from its arrival. */
    public void recordRequest(ApiKeys api, short version, long nanos) {
        if (!counting) return;
        RequestMeters r = requests.get(api);
        if (r == null) r = requests.computeIfAbsent(api, a -> new RequestMeters(kafkaRequestName(a)));
        r.version(version).mark();
        r.totalTime.record(nanos);
    }

    private TopicMeters topic(String name) {
        TopicMeters t = topics.get(name);
        return t != null ? t : topics.computeIfAbsent(name, n -> new TopicMeters());
    }

    /** Forgets a deleted topic's meters. */
    public void removeTopic(String name) {
        topics.remove(name);
    }

    public TopicMeters allTopics() {
        return allTopics;
    }

    /** The topics with meters, by name. */
    public Map<String, TopicMeters> topics() {
        return Map.copyOf(topics);
    }

    public Map<ApiKeys, RequestMeters> requests() {
        return Map.copyOf(requests);
    }

    // ---- connections

    public void connectionOpened(long id, String address, String listener) {
        connections.put(
                id, new ClientConnection(id, address, listener, System.currentTimeMillis(), null, null, null, null));
    }

    /** What a connection told of itself: its client id, and the software ApiVersions v3+ names (may be null). */
    public void connectionIdentified(
            long id, String clientId, String softwareName, String softwareVersion, String principal) {
        connections.computeIfPresent(
                id,
                (k, c) -> new ClientConnection(
                        c.id(),
                        c.address(),
                        c.listener(),
                        c.connectedAtMs(),
                        clientId != null ? clientId : c.clientId(),
                        softwareName != null ? softwareName : c.softwareName(),
                        softwareVersion != null ? softwareVersion : c.softwareVersion(),
                        principal != null ? principal : c.principal()));
    }

    public void connectionClosed(long id) {
        connections.remove(id);
    }

    public List<ClientConnection> connections() {
        List<ClientConnection> out = new ArrayList<>(connections.values());
        out.sort(java.util.Comparator.comparingLong(ClientConnection::id));
        return out;
    }

    /** Brings the moving rates up to date; the broker calls it every few seconds. */
    public void tick() {
        allTopics.tick();
        topics.values().forEach(TopicMeters::tick);
        Collection<RequestMeters> r = requests.values();
        r.forEach(RequestMeters::tick);
    }

    /** Seconds between {@link #tick()}s. */
    public static int tickSeconds() {
        return Meter.TICK_SECONDS;
    }

    /**
     * Kafka's name of an API in its request tags (ApiKeys.name in Kafka: the schema name without "Request"):
     * PRODUCE becomes Produce, API_VERSIONS ApiVersions.
     */
    public static String kafkaRequestName(ApiKeys api) {
        StringBuilder out = new StringBuilder();
        for (String word : api.name().split("_")) {
            if (word.isEmpty()) continue;
            out.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }
}
