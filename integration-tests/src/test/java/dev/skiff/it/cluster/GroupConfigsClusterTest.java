package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.SkiffCluster;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group configs in a two-broker cluster: set through one broker, they are Kafka's ConfigRecords in the controller's
 * metadata log, so the other broker describes them at once and the whole cluster has them after a restart.
 */
class GroupConfigsClusterTest {

    @TempDir
    Path root;

    private static Errors set(SkiffCluster c, int broker, String group, String key, String value) throws Exception {
        try (KafkaWire w = new KafkaWire(c.host(broker), c.port(broker))) {
            IncrementalAlterConfigsRequestData.AlterConfigsResource res =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType((byte) 32)
                            .setResourceName(group);
            res.configs()
                    .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                            .setName(key)
                            .setValue(value)
                            .setConfigOperation((byte) (value == null ? 1 : 0)));
            IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
            req.resources().add(res);
            IncrementalAlterConfigsResponseData r = w.send(req, 1);
            return Errors.forCode(r.responses().get(0).errorCode());
        }
    }

    private static Map<String, String> groupSet(SkiffCluster c, int broker, String group) throws Exception {
        try (KafkaWire w = new KafkaWire(c.host(broker), c.port(broker))) {
            DescribeConfigsRequestData req = new DescribeConfigsRequestData();
            req.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType((byte) 32)
                            .setResourceName(group)
                            .setConfigurationKeys(null));
            DescribeConfigsResponseData r = w.send(req, 4);
            Map<String, String> out = new TreeMap<>();
            for (DescribeConfigsResponseData.DescribeConfigsResourceResult x :
                    r.results().get(0).configs()) if (x.configSource() == 8) out.put(x.name(), x.value());
            return out;
        }
    }

    @Test
    @Timeout(120)
    void setOnOneBrokerDescribedOnTheOtherAndKeptAcrossARestart() throws Exception {
        Map<String, String> expected =
                Map.of("share.auto.offset.reset", "earliest", "share.record.lock.duration.ms", "20000");
        try (SkiffCluster c = SkiffCluster.builder().brokers(2).root(root).start()) {
            assertEquals(Errors.NONE, set(c, 0, "clustered", "share.auto.offset.reset", "earliest"));
            assertEquals(Errors.NONE, set(c, 1, "clustered", "share.record.lock.duration.ms", "20000"));
            assertEquals(Errors.NONE, set(c, 0, "clustered", "share.isolation.level", "read_committed"));
            assertEquals(Errors.NONE, set(c, 1, "clustered", "share.isolation.level", null));
            assertEquals(Errors.INVALID_CONFIG, set(c, 1, "clustered", "share.isolation.level", "dirty"));
            assertEquals(expected, groupSet(c, 0, "clustered"));
            assertEquals(expected, groupSet(c, 1, "clustered"));
        }
        try (SkiffCluster c = SkiffCluster.builder().brokers(2).root(root).start()) {
            assertEquals(expected, groupSet(c, 0, "clustered"));
            assertEquals(expected, groupSet(c, 1, "clustered"));
        }
    }
}
