package dev.skiff.server.zookeeper;

import java.util.Map;
import java.util.StringJoiner;

/**
 * Paths and contents of the znodes a Kafka 0.8 broker keeps, as the 0.8.1.1 broker writes them (JSON with
 * these keys; timestamps are strings). 0.8 clients parse them, so the shapes must not drift.
 */
final class KafkaZnodes {

    static final String CONSUMERS = "/consumers";
    static final String BROKER_IDS = "/brokers/ids";
    static final String BROKER_TOPICS = "/brokers/topics";
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String CONFIG_TOPICS = "/config/topics";
    static final String CONFIG_CHANGES = "/config/changes";
    static final String DELETE_TOPICS = "/admin/delete_topics";

    /** Persistent nodes a 0.8 broker creates at start, whatever its topics. */
    static final String[] FIXED = {CONSUMERS, BROKER_IDS, BROKER_TOPICS, CONFIG_TOPICS, CONFIG_CHANGES, DELETE_TOPICS};

    private KafkaZnodes() {}

    static String brokerPath(int brokerId) {
        return BROKER_IDS + "/" + brokerId;
    }

    static String topicPath(String topic) {
        return BROKER_TOPICS + "/" + topic;
    }

    static String partitionStatePath(String topic, int partition) {
        return topicPath(topic) + "/partitions/" + partition + "/state";
    }

    static String topicConfigPath(String topic) {
        return CONFIG_TOPICS + "/" + topic;
    }

    /** Where a 0.8 consumer group keeps the next offset to read of one partition. */
    static String offsetPath(String group, String topic, int partition) {
        return CONSUMERS + "/" + group + "/offsets/" + topic + "/" + partition;
    }

    /** Whether a group or topic name can be one path element. */
    static boolean isNodeName(String s) {
        return s != null
                && !s.isEmpty()
                && !s.equals(".")
                && !s.equals("..")
                && s.indexOf('/') < 0
                && s.chars().noneMatch(c -> c == 0);
    }

    static String brokerRegistration(String host, int port, long timestamp) {
        return "{\"jmx_port\":-1,\"timestamp\":\"" + timestamp + "\",\"host\":" + quote(host)
                + ",\"version\":1,\"port\":" + port + "}";
    }

    static String controller(int brokerId, long timestamp) {
        return "{\"version\":1,\"brokerid\":" + brokerId + ",\"timestamp\":\"" + timestamp + "\"}";
    }

    /** Every partition has this broker as its only replica. */
    static String partitionAssignment(int partitions, int brokerId) {
        StringJoiner parts = new StringJoiner(",", "{", "}");
        for (int p = 0; p < partitions; p++) parts.add("\"" + p + "\":[" + brokerId + "]");
        return "{\"version\":1,\"partitions\":" + parts + "}";
    }

    static String partitionState(int brokerId) {
        return "{\"controller_epoch\":1,\"leader\":" + brokerId + ",\"version\":1,\"leader_epoch\":0,\"isr\":["
                + brokerId + "]}";
    }

    /** Each partition's assigned replicas, the preferred leader first. */
    static String partitionAssignment(java.util.List<java.util.List<Integer>> replicas) {
        StringJoiner parts = new StringJoiner(",", "{", "}");
        for (int p = 0; p < replicas.size(); p++) parts.add("\"" + p + "\":" + intList(replicas.get(p)));
        return "{\"version\":1,\"partitions\":" + parts + "}";
    }

    /** Leader (-1: none), leader epoch and ISR of one partition, as the 0.8 controller writes them. */
    static String partitionState(int controllerEpoch, int leader, int leaderEpoch, java.util.List<Integer> isr) {
        return "{\"controller_epoch\":" + controllerEpoch + ",\"leader\":" + leader + ",\"version\":1,\"leader_epoch\":"
                + leaderEpoch + ",\"isr\":" + intList(isr) + "}";
    }

    private static String intList(java.util.List<Integer> ids) {
        StringJoiner list = new StringJoiner(",", "[", "]");
        for (int id : ids) list.add(Integer.toString(id));
        return list.toString();
    }

    static String topicConfig(Map<String, String> configs) {
        StringJoiner entries = new StringJoiner(",", "{", "}");
        configs.forEach((k, v) -> entries.add(quote(k) + ":" + quote(v)));
        return "{\"version\":1,\"config\":" + entries + "}";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
