package dev.skiff.it.cluster;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** The scenarios' target: a three-node Apache Kafka 4.1 cluster in child JVMs ({@link KafkaClusterOracle}). */
public final class KafkaClusterTarget implements ClusterTarget {

    private final KafkaClusterOracle kafka;

    private KafkaClusterTarget(KafkaClusterOracle kafka) {
        this.kafka = kafka;
    }

    public static KafkaClusterTarget start() {
        return new KafkaClusterTarget(KafkaClusterOracle.start(3, Map.of()));
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public String bootstrap() {
        return kafka.bootstrap();
    }

    @Override
    public List<Integer> brokerIds() {
        return kafka.brokerIds();
    }

    @Override
    public String host(int brokerId) {
        return kafka.host(brokerId);
    }

    @Override
    public int port(int brokerId) {
        return kafka.port(brokerId);
    }

    @Override
    public void kill(int brokerId) {
        kafka.kill(brokerId);
    }

    @Override
    public void stop(int brokerId) {
        kafka.stop(brokerId);
    }

    @Override
    public void restart(int brokerId) {
        kafka.restart(brokerId);
    }

    public boolean isRunning(int brokerId) {
        return kafka.isRunning(brokerId);
    }

    @Override
    public Admin admin() {
        return kafka.admin();
    }

    public KafkaClusterOracle oracle() {
        return kafka;
    }

    @Override
    public void close() {
        kafka.close();
    }
}
