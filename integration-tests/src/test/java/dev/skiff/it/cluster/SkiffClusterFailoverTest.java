package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The failover scenarios against Skiff's cluster of three brokers in one process. {@code SkiffClusterTarget}
 * (in this package) adapts the cluster's controls; while it is absent (the cluster is not built yet) every scenario
 * is skipped, so the scenarios run against Skiff as soon as it is added, without changing them.
 */
class SkiffClusterFailoverTest extends FailoverScenarios {

    private static ClusterTarget skiff;

    @BeforeAll
    static void start() throws Exception {
        Class<?> type;
        try {
            type = Class.forName("dev.skiff.it.cluster.SkiffClusterTarget");
        } catch (ClassNotFoundException e) {
            type = null;
        }
        assumeTrue(type != null, "Skiff's cluster is not there yet (no SkiffClusterTarget)");
        skiff = (ClusterTarget) type.getMethod("start").invoke(null);
    }

    @AfterAll
    static void stop() {
        if (skiff != null) skiff.close();
    }

    @Override
    protected ClusterTarget target() {
        return skiff;
    }
}
