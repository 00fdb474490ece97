package dev.skiff.broker.admin;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.TopicConfigDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What DescribeConfigs (and CreateTopics v5+) report: each config's value in force, where that value comes
 * from and, on request, the chain of synonyms that could set it, most specific first, as Kafka lists them.
 */
public final class ConfigDescriber {

    public record Synonym(String name, String value, byte source) {}

    public record Described(
            String name, String value, byte source, boolean readOnly, byte type, List<Synonym> synonyms) {
        /** Kafka's is_default (DescribeConfigs v0): the value is the built-in default. */
        public boolean isDefault() {
            return source == ConfigResources.DEFAULT_CONFIG;
        }
    }

    /** Kafka defines these two defaults on the hours key, so that is the name its DEFAULT_CONFIG synonym has. */
    private static final Map<String, Synonym> DEFAULT_SYNONYM_OVERRIDES = Map.of(
            "retention.ms", new Synonym("log.retention.hours", "168", ConfigResources.DEFAULT_CONFIG),
            "segment.ms", new Synonym("log.roll.hours", "168", ConfigResources.DEFAULT_CONFIG));

    private final BrokerConfig broker;

    public ConfigDescriber(BrokerConfig broker) {
        this.broker = broker;
    }

    /** Every topic config with the value in force for a topic that has {@code topicConfigs} set on it. */
    public List<Described> topic(Map<String, String> topicConfigs) {
        List<Described> out = new ArrayList<>();
        for (TopicConfigDef def : TopicConfigDef.ALL.values()) {
            String set = topicConfigs.get(def.name());
            List<Synonym> synonyms = synonyms(def, set);
            Synonym first = synonyms.isEmpty() ? null : synonyms.get(0);
            String value = set != null ? set : def.defaultFor(broker);
            byte source = set != null
                    ? ConfigResources.DYNAMIC_TOPIC_CONFIG
                    : first != null && first.source() == ConfigResources.STATIC_BROKER_CONFIG
                            ? ConfigResources.STATIC_BROKER_CONFIG
                            : ConfigResources.DEFAULT_CONFIG;
            out.add(new Described(def.name(), value, source, false, def.type().id, synonyms));
        }
        // configs set by Skiff itself on internal topics that Kafka has no definition for
        topicConfigs.forEach((k, v) -> {
            if (TopicConfigDef.get(k) == null) {
                out.add(new Described(
                        k,
                        v,
                        ConfigResources.DYNAMIC_TOPIC_CONFIG,
                        false,
                        TopicConfigDef.Type.STRING.id,
                        List.of(new Synonym(k, v, ConfigResources.DYNAMIC_TOPIC_CONFIG))));
            }
        });
        return out;
    }

    private List<Synonym> synonyms(TopicConfigDef def, String topicValue) {
        List<Synonym> out = new ArrayList<>();
        if (topicValue != null) out.add(new Synonym(def.name(), topicValue, ConfigResources.DYNAMIC_TOPIC_CONFIG));
        for (String key : def.brokerSynonyms()) {
            String v = broker.get(key);
            if (v != null && !v.isBlank()) out.add(new Synonym(key, v.trim(), ConfigResources.STATIC_BROKER_CONFIG));
        }
        Synonym dflt = DEFAULT_SYNONYM_OVERRIDES.get(def.name());
        if (dflt == null && !def.brokerSynonyms().isEmpty()) {
            dflt = new Synonym(def.brokerSynonyms().get(0), def.kafkaDefault(), ConfigResources.DEFAULT_CONFIG);
        }
        if (dflt != null) out.add(dflt);
        return out;
    }

    /** The broker settings Skiff honours, each with its value in force; none can be changed at runtime. */
    public List<Described> broker() {
        Map<String, Described> out = new LinkedHashMap<>();
        addBroker(out, "broker.id", TopicConfigDef.Type.INT, b -> Integer.toString(b.nodeId), "node.id", "broker.id");
        addBroker(out, "node.id", TopicConfigDef.Type.INT, b -> Integer.toString(b.nodeId), "node.id", "broker.id");
        addBroker(out, "log.dirs", TopicConfigDef.Type.STRING, b -> b.dataDir.toString(), "log.dirs", "log.dir");
        addBroker(
                out,
                "num.partitions",
                TopicConfigDef.Type.INT,
                b -> Integer.toString(b.numPartitions),
                "num.partitions");
        addBroker(out, "default.replication.factor", TopicConfigDef.Type.INT, b -> "1");
        addBroker(
                out,
                "auto.create.topics.enable",
                TopicConfigDef.Type.BOOLEAN,
                b -> Boolean.toString(b.autoCreateTopics),
                "auto.create.topics.enable");
        addBroker(
                out,
                "socket.request.max.bytes",
                TopicConfigDef.Type.INT,
                b -> Integer.toString(b.socketRequestMaxBytes),
                "socket.request.max.bytes");
        addBroker(
                out,
                "log.retention.check.interval.ms",
                TopicConfigDef.Type.LONG,
                b -> Long.toString(b.retentionCheckIntervalMs),
                "log.retention.check.interval.ms");
        addBroker(
                out,
                "log.cleaner.enable",
                TopicConfigDef.Type.BOOLEAN,
                b -> Boolean.toString(LogCleanerService.enabled(b)),
                "log.cleaner.enable");
        addBroker(
                out,
                "log.cleaner.backoff.ms",
                TopicConfigDef.Type.LONG,
                b -> Long.toString(LogCleanerService.intervalMs(b)),
                "log.cleaner.backoff.ms");
        addBroker(
                out,
                "log.cleaner.dedupe.buffer.size",
                TopicConfigDef.Type.LONG,
                b -> Long.toString(LogCleanerService.mapBytes(b)),
                "log.cleaner.dedupe.buffer.size");
        addBroker(
                out,
                "offsets.topic.num.partitions",
                TopicConfigDef.Type.INT,
                b -> Integer.toString(b.offsetsTopicPartitions),
                "offsets.topic.num.partitions");
        addBroker(out, "offsets.topic.replication.factor", TopicConfigDef.Type.SHORT, b -> "1");
        addBroker(
                out,
                "group.initial.rebalance.delay.ms",
                TopicConfigDef.Type.INT,
                b -> Long.toString(b.groupInitialRebalanceDelayMs),
                "group.initial.rebalance.delay.ms");
        addBroker(
                out,
                "group.min.session.timeout.ms",
                TopicConfigDef.Type.INT,
                b -> Integer.toString(b.groupMinSessionTimeoutMs),
                "group.min.session.timeout.ms");
        addBroker(
                out,
                "group.max.session.timeout.ms",
                TopicConfigDef.Type.INT,
                b -> Integer.toString(b.groupMaxSessionTimeoutMs),
                "group.max.session.timeout.ms");
        addBroker(
                out,
                "transaction.max.timeout.ms",
                TopicConfigDef.Type.INT,
                b -> Long.toString(b.transactionTimeoutMaxMs),
                "transaction.max.timeout.ms");
        addBroker(
                out,
                "producer.id.expiration.ms",
                TopicConfigDef.Type.INT,
                b -> Long.toString(b.producerIdExpirationMs),
                "producer.id.expiration.ms");
        addBroker(
                out,
                "producer.id.expiration.check.interval.ms",
                TopicConfigDef.Type.INT,
                b -> Long.toString(b.producerIdExpirationCheckIntervalMs),
                "producer.id.expiration.check.interval.ms");
        // the broker-wide defaults of topic configs, under their broker names
        for (TopicConfigDef def : TopicConfigDef.ALL.values()) {
            if (def.brokerSynonyms().isEmpty()) continue;
            String key = def.brokerSynonyms().get(0);
            if (out.containsKey(key)) continue;
            byte source = def.brokerKeyFor(broker) != null
                    ? ConfigResources.STATIC_BROKER_CONFIG
                    : ConfigResources.DEFAULT_CONFIG;
            out.put(key, new Described(key, def.defaultFor(broker), source, true, def.type().id, List.of()));
        }
        return new ArrayList<>(out.values());
    }

    private void addBroker(
            Map<String, Described> out,
            String name,
            TopicConfigDef.Type type,
            Function<BrokerConfig, String> value,
            String... keys) {
        boolean set = false;
        for (String k : keys) set |= broker.get(k) != null;
        byte source = set ? ConfigResources.STATIC_BROKER_CONFIG : ConfigResources.DEFAULT_CONFIG;
        out.put(name, new Described(name, value.apply(broker), source, true, type.id, List.of()));
    }
}
