package dev.skiff.broker.replica;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaConfigTest {

    @Test
    void kafkasDefaults() {
        assertEquals(
                new ReplicaConfig(30_000, 1024 * 1024, 10 * 1024 * 1024, 500, 1, 1000, 30_000, 5000),
                ReplicaConfig.of(BrokerConfig.defaults()));
    }

    @Test
    void keysOverrideAndNonsenseIsRefused() {
        ReplicaConfig c = ReplicaConfig.of(
                BrokerConfig.of(Map.of(ReplicaConfig.LAG_TIME_MAX_MS, "250", ReplicaConfig.FETCH_WAIT_MAX_MS, "20")));
        assertEquals(250, c.lagTimeMaxMs());
        assertEquals(20, c.fetchWaitMaxMs());
        assertThrows(
                ConfigException.class,
                () -> ReplicaConfig.of(BrokerConfig.of(Map.of(ReplicaConfig.FETCH_MAX_BYTES, "-1"))));
        assertThrows(
                ConfigException.class,
                () -> ReplicaConfig.of(BrokerConfig.of(Map.of(ReplicaConfig.SOCKET_TIMEOUT_MS, "soon"))));
    }
}
