package dev.skiff.it.cluster;

import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The scenarios' target: Skiff's cluster of three brokers in one process ({@link SkiffCluster}), with the same
 * settings as the Kafka oracle's where they matter (replica lag, internal topics' replicas and min ISR, no
 * automatic leader rebalance). Found by SkiffClusterFailoverTest through its static {@code start()}.
 */
public final class SkiffClusterTarget implements ClusterTarget {

    private final SkiffCluster cluster;
    private Admin admin;

    private SkiffClusterTarget(SkiffCluster cluster) {
        this.cluster = cluster;
    }

    public static SkiffClusterTarget start() {
        return new SkiffClusterTarget(SkiffCluster.builder()
                .brokers(3)
                .properties(Map.of(
                        "replica.lag.time.max.ms", Integer.toString(KafkaClusterOracle.REPLICA_LAG_MS),
                        "default.replication.factor", "3",
                        "offsets.topic.replication.factor", "3",
                        "offsets.topic.num.partitions", "3",
                        "transaction.state.log.replication.factor", "3",
                        "transaction.state.log.min.isr", "2",
                        "transaction.state.log.num.partitions", "3",
                        "group.initial.rebalance.delay.ms", "0",
                        "auto.leader.rebalance.enable", "false"))
                .start());
    }

    @Override
    public String name() {
        return "skiff";
    }

    @Override
    public String bootstrap() {
        // every broker, running or not, as a client's configuration would list them
        List<String> all = new ArrayList<>();
        for (int id : brokerIds()) all.add(host(id) + ":" + port(id));
        return String.join(",", all);
    }

    @Override
    public List<Integer> brokerIds() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) ids.add(i);
        return ids;
    }

    @Override
    public String host(int brokerId) {
        return cluster.host(brokerId);
    }

    @Override
    public int port(int brokerId) {
        return cluster.port(brokerId);
    }

    @Override
    public void kill(int brokerId) {
        cluster.killBroker(brokerId);
    }

    @Override
    public void stop(int brokerId) {
        cluster.stopBroker(brokerId);
    }

    @Override
    public void restart(int brokerId) {
        cluster.restartBroker(brokerId);
        // as the Kafka target: back when the cluster lists it alive
        dev.skiff.it.Poll.until(
                FAILOVER, "broker " + brokerId + " alive", this::liveBrokers, l -> l.contains(brokerId));
    }

    @Override
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6000,
                    AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100,
                    AdminClientConfig.METADATA_MAX_AGE_CONFIG, 1000));
        }
        return admin;
    }

    @Override
    public boolean speaksKafka08() {
        return true;
    }

    public SkiffCluster cluster() {
        return cluster;
    }

    @Override
    public synchronized void close() {
        if (admin != null) admin.close(Duration.ofSeconds(2));
        cluster.close();
    }
}
