package dev.skiff.broker.metrics;

import dev.skiff.broker.TopicPartition;
import dev.skiff.protocol.ApiKeys;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's figures as JMX MBeans under the names Apache Kafka registers for them (its Yammer metrics'
 * ObjectNames and attributes: a meter's Count and rates, a histogram's Count, Mean, Max and percentiles, a
 * gauge's Value), so JMX dashboards made for Kafka find them. The platform MBean server holds one set of names,
 * so only one broker of a JVM registers: the first to start, until it closes.
 *
 * <p>Names that come and go with topics, partitions and groups are brought in line by {@link #sync()}, which
 * the broker calls on its metrics tick.
 */
public final class JmxMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JmxMetrics.class);
    private static final AtomicReference<JmxMetrics> OWNER = new AtomicReference<>();

    /** Kafka's per-partition log gauge: its name and what it reads of the log. */
    private record LogGauge(String name, ToLongFunction<BrokerGauges.PartitionLog> value) {}

    /** In the order of a partition's names in {@link #logNames}. */
    private static final List<LogGauge> LOG_GAUGES = List.of(
            new LogGauge("Size", BrokerGauges.PartitionLog::size),
            new LogGauge("LogStartOffset", BrokerGauges.PartitionLog::logStartOffset),
            new LogGauge("LogEndOffset", BrokerGauges.PartitionLog::logEndOffset),
            new LogGauge("NumLogSegments", l -> l.segments()));

    /**
     * Made by the first sync, not with the broker: the platform MBean server starts every platform MXBean (JFR's
     * among them), tens of milliseconds that a broker's start need not wait for (guarded by this).
     */
    private MBeanServer server;

    private final BrokerMetrics metrics;
    private final BrokerGauges gauges;
    /** What is registered now, by name. */
    private final Map<ObjectName, Object> registered = new HashMap<>();
    /** The names the last sync wanted, by their text; and those of the sync running (guarded by this). */
    private Map<String, ObjectName> names = new HashMap<>(), namesNow;
    /**
     * The four log names of each partition, by the partition's own id: the text keys of {@link #names} cost
     * four strings (~500 bytes) a partition, the largest share of a partition's heap after its log.
     */
    private Map<TopicPartition, ObjectName[]> logNames = new HashMap<>(), logNamesNow;

    private JmxMetrics(BrokerMetrics metrics, BrokerGauges gauges) {
        this.metrics = metrics;
        this.gauges = gauges;
    }

    /**
     * Claims this JVM's MBean names for this broker unless another broker of it already has (null then). The
     * names are registered by {@link #register()}, which the broker runs on its scheduler once it listens.
     */
    public static JmxMetrics registerIfFirst(BrokerMetrics metrics, BrokerGauges gauges) {
        JmxMetrics jmx = new JmxMetrics(metrics, gauges);
        return OWNER.compareAndSet(null, jmx) ? jmx : null;
    }

    /** The first {@link #sync()}: a failure is logged, not thrown, as JMX is no part of serving clients. */
    public void register() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("JMX metrics could not be registered: {}", e.toString());
        }
    }

    /** Registers the names that appeared since the last call and removes those that went. */
    public synchronized void sync() {
        if (OWNER.get() != this) return;
        if (server == null) server = ManagementFactory.getPlatformMBeanServer();
        namesNow = new HashMap<>(names.size() * 2);
        logNamesNow = new HashMap<>(logNames.size() * 2);
        Map<ObjectName, Supplier<Object>> wanted = new HashMap<>();
        TopicMeters all = metrics.allTopics();
        wanted.put(
                named("kafka.server", "BrokerTopicMetrics", "MessagesInPerSec"),
                () -> meter(all.messagesIn, "messages"));
        wanted.put(named("kafka.server", "BrokerTopicMetrics", "BytesInPerSec"), () -> meter(all.bytesIn, "bytes"));
        wanted.put(named("kafka.server", "BrokerTopicMetrics", "BytesOutPerSec"), () -> meter(all.bytesOut, "bytes"));
        metrics.topics().forEach((topic, t) -> {
            wanted.put(
                    named("kafka.server", "BrokerTopicMetrics", "MessagesInPerSec", "topic", topic),
                    () -> meter(t.messagesIn, "messages"));
            wanted.put(
                    named("kafka.server", "BrokerTopicMetrics", "BytesInPerSec", "topic", topic),
                    () -> meter(t.bytesIn, "bytes"));
            wanted.put(
                    named("kafka.server", "BrokerTopicMetrics", "BytesOutPerSec", "topic", topic),
                    () -> meter(t.bytesOut, "bytes"));
        });
        for (Map.Entry<ApiKeys, RequestMeters> e : metrics.requests().entrySet()) {
            RequestMeters r = e.getValue();
            r.versions()
                    .forEach((version, m) -> wanted.put(
                            named(
                                    "kafka.network",
                                    "RequestMetrics",
                                    "RequestsPerSec",
                                    "request",
                                    r.request,
                                    "version",
                                    Short.toString(version)),
                            () -> meter(m, "requests")));
            wanted.put(
                    named("kafka.network", "RequestMetrics", "TotalTimeMs", "request", r.request),
                    () -> histogram(r.totalTime));
        }
        wanted.put(
                named("kafka.server", "ReplicaManager", "UnderReplicatedPartitions"),
                () -> gauge(gauges::underReplicatedPartitions));
        wanted.put(named("kafka.server", "ReplicaManager", "PartitionCount"), () -> gauge(gauges::partitionCount));
        wanted.put(
                named("kafka.coordinator.group", "GroupMetadataManager", "NumGroups"), () -> gauge(gauges::groupCount));
        for (TopicPartition p : gauges.partitionIds()) {
            String topic = p.topic();
            int partition = p.partition();
            ObjectName[] n = logNames.get(p);
            if (n == null) {
                String index = Integer.toString(partition);
                n = new ObjectName[LOG_GAUGES.size()];
                for (int i = 0; i < n.length; i++)
                    n[i] = name("kafka.log", "Log", LOG_GAUGES.get(i).name(), "topic", topic, "partition", index);
            }
            logNamesNow.put(p, n);
            for (int i = 0; i < n.length; i++) {
                ToLongFunction<BrokerGauges.PartitionLog> value =
                        LOG_GAUGES.get(i).value();
                wanted.put(n[i], () -> gauge(() -> logOf(topic, partition, value)));
            }
        }
        for (BrokerGauges.GroupLag l : gauges.lag()) {
            String group = l.group();
            String topic = l.topic();
            int partition = l.partition();
            wanted.put(
                    named(
                            "dev.skiff",
                            "ConsumerGroupLag",
                            "Lag",
                            "group",
                            group,
                            "topic",
                            topic,
                            "partition",
                            Integer.toString(partition)),
                    () -> gauge(() -> lagOf(group, topic, partition)));
        }
        // Kafka's socket-server-metrics "connections" by listener and client software (ApiVersions v3+); Skiff has
        // no network processor threads of its own, so every connection counts under networkProcessor=0
        Map<List<String>, Integer> bySoftware = new HashMap<>();
        for (ClientConnection c : metrics.connections()) {
            bySoftware.merge(
                    List.of(orUnknown(c.listener()), orUnknown(c.softwareName()), orUnknown(c.softwareVersion())),
                    1,
                    Integer::sum);
        }
        bySoftware.forEach((key, n) -> {
            ObjectName name = socketServerName(key.get(0), key.get(1), key.get(2));
            wanted.put(name, () -> connections(key));
        });
        registered.keySet().removeIf(n -> {
            if (wanted.containsKey(n)) return false;
            unregister(n);
            return true;
        });
        wanted.forEach((n, make) -> {
            if (registered.containsKey(n)) return;
            Object bean = make.get();
            try {
                if (server.isRegistered(n)) server.unregisterMBean(n);
                server.registerMBean(bean, n);
                registered.put(n, bean);
            } catch (JMException e) {
                log.debug("cannot register {}: {}", n, e.toString());
            }
        });
        names = namesNow;
        namesNow = null;
        logNames = logNamesNow;
        logNamesNow = null;
    }

    private static String orUnknown(String s) {
        return s == null ? "unknown" : s;
    }

    private static ObjectName socketServerName(String listener, String software, String version) {
        String s = "kafka.server:type=socket-server-metrics,clientSoftwareName=" + value(software)
                + ",clientSoftwareVersion=" + value(version) + ",listener=" + value(listener) + ",networkProcessor=0";
        try {
            return new ObjectName(s);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Kafka's attribute of a socket-server connection count (a KafkaMetric: a double). */
    public interface ConnectionsMBean {
        double getConnections();
    }

    private Object connections(List<String> key) {
        return standard(
                (ConnectionsMBean) () -> {
                    int n = 0;
                    for (ClientConnection c : metrics.connections()) {
                        if (orUnknown(c.listener()).equals(key.get(0))
                                && orUnknown(c.softwareName()).equals(key.get(1))
                                && orUnknown(c.softwareVersion()).equals(key.get(2))) n++;
                    }
                    return n;
                },
                ConnectionsMBean.class);
    }

    private long logOf(String topic, int partition, ToLongFunction<BrokerGauges.PartitionLog> f) {
        BrokerGauges.PartitionLog p = gauges.partitionLog(topic, partition);
        return p == null ? 0 : f.applyAsLong(p);
    }

    private long lagOf(String group, String topic, int partition) {
        for (BrokerGauges.GroupLag l : gauges.lag(group))
            if (l.topic().equals(topic) && l.partition() == partition) return l.lag();
        return 0;
    }

    private void unregister(ObjectName n) {
        if (server == null) return; // never synced: nothing registered
        try {
            if (server.isRegistered(n)) server.unregisterMBean(n);
        } catch (JMException e) {
            log.debug("cannot unregister {}: {}", n, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (!OWNER.compareAndSet(this, null)) return;
        registered.keySet().forEach(this::unregister);
        registered.clear();
    }

    /** Kafka's ObjectName: domain, type, name, then tags in order; values quoted where JMX needs it. */
    static ObjectName name(String domain, String type, String name, String... tags) {
        return parse(text(domain, type, name, tags));
    }

    /**
     * As {@link #name}, taken from the names the last sync built when it has the same text: parsing an ObjectName
     * (its keys sorted into the canonical form) for the four names of every partition each tick cost more than
     * the rest of a sync, and competed with the broker's work on small machines.
     */
    private ObjectName named(String domain, String type, String name, String... tags) {
        String text = text(domain, type, name, tags);
        ObjectName n = names.get(text);
        if (n == null) n = parse(text);
        namesNow.put(text, n);
        return n;
    }

    private static String text(String domain, String type, String name, String... tags) {
        StringBuilder s = new StringBuilder(domain)
                .append(":type=")
                .append(type)
                .append(",name=")
                .append(name);
        for (int i = 0; i + 1 < tags.length; i += 2)
            s.append(',').append(tags[i]).append('=').append(value(tags[i + 1]));
        return s.toString();
    }

    private static ObjectName parse(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String value(String v) {
        for (char c : v.toCharArray()) if (",=:\"*?\n\\".indexOf(c) >= 0) return ObjectName.quote(v);
        return v;
    }

    // ---- the MBean shapes of Kafka's Yammer reporter

    /** A Yammer meter's attributes. */
    public interface MeterMBean {
        long getCount();

        String getEventType();

        String getRateUnit();

        double getMeanRate();

        double getOneMinuteRate();

        double getFiveMinuteRate();

        double getFifteenMinuteRate();
    }

    /** A Yammer histogram's attributes (Kafka's request times are histograms in milliseconds). */
    public interface HistogramMBean {
        long getCount();

        double getMin();

        double getMax();

        double getMean();

        double getStdDev();

        double get50thPercentile();

        double get75thPercentile();

        double get95thPercentile();

        double get98thPercentile();

        double get99thPercentile();

        double get999thPercentile();
    }

    private static Object meter(Meter m, String eventType) {
        return standard(
                new MeterMBean() {
                    public long getCount() {
                        return m.count();
                    }

                    public String getEventType() {
                        return eventType;
                    }

                    public String getRateUnit() {
                        return "SECONDS";
                    }

                    public double getMeanRate() {
                        return m.meanRate();
                    }

                    public double getOneMinuteRate() {
                        return m.oneMinuteRate();
                    }

                    public double getFiveMinuteRate() {
                        return m.fiveMinuteRate();
                    }

                    public double getFifteenMinuteRate() {
                        return m.fifteenMinuteRate();
                    }
                },
                MeterMBean.class);
    }

    private static Object histogram(LatencyHistogram h) {
        return standard(
                new HistogramMBean() {
                    public long getCount() {
                        return h.count();
                    }

                    public double getMin() {
                        return h.count() == 0 ? 0 : h.quantileMs(0);
                    }

                    public double getMax() {
                        return h.maxMs();
                    }

                    public double getMean() {
                        return h.meanMs();
                    }

                    public double getStdDev() {
                        return 0; // not kept: buckets give percentiles, not the spread
                    }

                    public double get50thPercentile() {
                        return h.quantileMs(0.5);
                    }

                    public double get75thPercentile() {
                        return h.quantileMs(0.75);
                    }

                    public double get95thPercentile() {
                        return h.quantileMs(0.95);
                    }

                    public double get98thPercentile() {
                        return h.quantileMs(0.98);
                    }

                    public double get99thPercentile() {
                        return h.quantileMs(0.99);
                    }

                    public double get999thPercentile() {
                        return h.quantileMs(0.999);
                    }
                },
                HistogramMBean.class);
    }

    private static Object gauge(Supplier<? extends Number> value) {
        return new Gauge(value);
    }

    /**
     * A Yammer gauge as Kafka's JMX reporter shows it: one read-only attribute, Value, of type Object (its
     * {@code Object getValue()}). The MBeanInfo is shared by every gauge: a StandardMBean builds one of its own per
     * instance (with its descriptor and arrays), some 1 KiB for each partition's four log gauges.
     */
    static final class Gauge implements DynamicMBean {
        private static final String VALUE = "Value";
        private static final MBeanInfo INFO = new MBeanInfo(
                Gauge.class.getName(),
                "A gauge, under the name and attribute Kafka registers for it",
                new MBeanAttributeInfo[] {
                    new MBeanAttributeInfo(VALUE, Object.class.getName(), "the current value", true, false, false)
                },
                null,
                null,
                null);

        private final Supplier<?> value;

        Gauge(Supplier<?> value) {
            this.value = value;
        }

        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            if (!VALUE.equals(attribute)) throw new AttributeNotFoundException("No such attribute: " + attribute);
            return value.get();
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            AttributeList list = new AttributeList();
            for (String a : attributes) {
                if (VALUE.equals(a)) list.add(new Attribute(VALUE, value.get()));
            }
            return list;
        }

        @Override
        public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
            throw new AttributeNotFoundException(
                    VALUE.equals(attribute.getName())
                            ? "Read-only attribute: " + VALUE
                            : "No such attribute: " + attribute.getName());
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            return new AttributeList(); // none can be set
        }

        @Override
        public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
            throw new ReflectionException(new NoSuchMethodException(actionName), "A gauge has no operations");
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return INFO;
        }
    }

    private static <T> Object standard(T impl, Class<T> type) {
        try {
            return new StandardMBean(impl, type);
        } catch (javax.management.NotCompliantMBeanException e) {
            throw new IllegalStateException(e);
        }
    }
}
