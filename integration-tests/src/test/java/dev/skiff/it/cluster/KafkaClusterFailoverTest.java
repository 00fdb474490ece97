package dev.skiff.it.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The failover scenarios against a three-node Apache Kafka 4.1: this is what validates them. */
class KafkaClusterFailoverTest extends FailoverScenarios {

    private static KafkaClusterTarget kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaClusterTarget.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    @Override
    protected ClusterTarget target() {
        return kafka;
    }
}
