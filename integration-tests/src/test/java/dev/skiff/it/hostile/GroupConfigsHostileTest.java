package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group configs (GROUP config resources) abused over a real socket: group ids of 32,000 characters (near the wire's
 * limit), of control characters, line breaks and the file's own separators; values of 32,000 characters, with line
 * breaks, out of every range; 10,000 keys in one resource, the same key twice, unknown operations, thousands of
 * resources in one request; more configured groups than skiff.group.configs.max.groups. Each gets Kafka's error
 * (the cap: POLICY_VIOLATION), nothing refused is kept, and what was accepted (odd ids included) is described the
 * same after a restart.
 */
class GroupConfigsHostileTest {

    @TempDir
    Path dir;

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource resource(
            String group, String key, String value, byte op) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource res =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType((byte) 32)
                        .setResourceName(group);
        res.configs()
                .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName(key)
                        .setValue(value)
                        .setConfigOperation(op));
        return res;
    }

    private static Errors alter(KafkaWire w, IncrementalAlterConfigsRequestData.AlterConfigsResource res)
            throws Exception {
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        req.resources().add(res);
        IncrementalAlterConfigsResponseData r = w.send(req, 1);
        return Errors.forCode(r.responses().get(0).errorCode());
    }

    private static Errors set(KafkaWire w, String group, String key, String value) throws Exception {
        return alter(w, resource(group, key, value, (byte) 0));
    }

    /** The keys set on a group (source 8), or the error. */
    private static Map<String, String> described(KafkaWire w, String group) throws Exception {
        DescribeConfigsRequestData req = new DescribeConfigsRequestData();
        req.resources()
                .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType((byte) 32)
                        .setResourceName(group)
                        .setConfigurationKeys(null));
        DescribeConfigsResponseData r = w.send(req, 4);
        Map<String, String> out = new TreeMap<>();
        DescribeConfigsResponseData.DescribeConfigsResult res = r.results().get(0);
        if (res.errorCode() != 0)
            out.put("error", Errors.forCode(res.errorCode()).name());
        for (DescribeConfigsResponseData.DescribeConfigsResourceResult c : res.configs())
            if (c.configSource() == 8) out.put(c.name(), c.value());
        return out;
    }

    private static List<String> listed(KafkaWire w) throws Exception {
        ListConfigResourcesResponseData r =
                w.send(new ListConfigResourcesRequestData().setResourceTypes(List.of((byte) 32)), 1);
        List<String> out = new ArrayList<>();
        for (ListConfigResourcesResponseData.ConfigResource c : r.configResources()) out.add(c.resourceName());
        return out;
    }

    @Test
    void groupsPastTheCapAreRefusedAndTheConfiguredOnesStayAlterable() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .dataDir(dir)
                .property("skiff.group.configs.max.groups", "20")
                .start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire w = new KafkaWire(broker.host(), broker.port())) {
                for (int i = 0; i < 20; i++)
                    assertEquals(Errors.NONE, set(w, "capped-" + i, "share.auto.offset.reset", "earliest"));
                for (int i = 20; i < 30; i++)
                    assertEquals(Errors.POLICY_VIOLATION, set(w, "capped-" + i, "share.auto.offset.reset", "earliest"));
                assertEquals(Errors.NONE, set(w, "capped-3", "share.isolation.level", "read_committed"));
                assertEquals(20, listed(w).size());
            }
            survival.assertServedAndRestartsIntact();
            try (KafkaWire w = new KafkaWire(broker.host(), broker.port())) {
                assertEquals(20, listed(w).size());
                assertEquals(
                        Map.of("share.auto.offset.reset", "earliest", "share.isolation.level", "read_committed"),
                        described(w, "capped-3"));
                assertEquals(Errors.POLICY_VIOLATION, set(w, "capped-99", "share.auto.offset.reset", "earliest"));
            }
        }
    }

    @Test
    void abusiveGroupConfigsAreRefusedAndWhatWasAcceptedSurvivesARestart() throws Exception {
        String longId = "g".repeat(32_000);
        String oddId = "odd \n\r\t\u0000=#!:\\ \u00e9\u4e16 end";
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().dataDir(dir).start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire w = new KafkaWire(broker.host(), broker.port())) {
                // accepted: any non-empty id, as Kafka
                assertEquals(Errors.NONE, set(w, longId, "share.auto.offset.reset", "earliest"));
                assertEquals(Errors.NONE, set(w, oddId, "share.record.lock.duration.ms", "20000"));
                assertEquals(Errors.NONE, set(w, "plain", "share.isolation.level", "read_committed"));
                // a look-back longer than time itself is valid (Kafka takes it) and starts at the log start
                assertEquals(Errors.NONE, set(w, "far", "share.auto.offset.reset", "by_duration:PT2562047788015215H"));

                // refused, and nothing of them kept
                assertEquals(Errors.INVALID_REQUEST, set(w, "", "share.isolation.level", "read_committed"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "share.auto.offset.reset", "x".repeat(32_000)));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "share.auto.offset.reset", "earliest\nlatest"));
                assertEquals(
                        Errors.INVALID_CONFIG,
                        set(w, "plain", "share.auto.offset.reset", "by_duration:PT99999999999999999999H"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "consumer.session.timeout.ms", "2147483648"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "consumer.session.timeout.ms", "-2147483648"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "streams.num.standby.replicas", "2147483647"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "k".repeat(32_000), "1"));
                assertEquals(Errors.INVALID_CONFIG, set(w, "plain", "share.isolation.level\n", "read_committed"));
                assertEquals(Errors.INVALID_REQUEST, set(w, "plain", "share.isolation.level", null));
                assertEquals(
                        Errors.UNKNOWN_SERVER_ERROR,
                        alter(w, resource("plain", "share.isolation.level", "read_committed", (byte) -1)));
                assertEquals(
                        Errors.INVALID_CONFIG,
                        alter(w, resource("plain", "share.isolation.level", "read_committed", (byte) 2)));

                // 10,000 keys in one resource: unknown ones, then the same key twice
                IncrementalAlterConfigsRequestData.AlterConfigsResource many =
                        resource("many", "share.isolation.level", "read_committed", (byte) 0);
                for (int i = 0; i < 10_000; i++)
                    many.configs()
                            .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                                    .setName("k" + i)
                                    .setValue("v"));
                assertEquals(Errors.INVALID_CONFIG, alter(w, many));
                IncrementalAlterConfigsRequestData.AlterConfigsResource twice =
                        resource("many", "share.isolation.level", "read_committed", (byte) 0);
                twice.configs()
                        .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                                .setName("share.isolation.level")
                                .setValue("read_uncommitted"));
                assertEquals(Errors.INVALID_REQUEST, alter(w, twice));

                // 5,000 resources in one request, all refused: each answered, none kept
                IncrementalAlterConfigsRequestData wide = new IncrementalAlterConfigsRequestData();
                for (int i = 0; i < 5_000; i++) wide.resources().add(resource("w" + i, "nope", "1", (byte) 0));
                IncrementalAlterConfigsResponseData wideAnswer = w.send(wide, 1);
                assertEquals(5_000, wideAnswer.responses().size());
                assertEquals(
                        5_000,
                        wideAnswer.responses().stream()
                                .filter(a -> a.errorCode() == Errors.INVALID_CONFIG.code())
                                .count());

                // the legacy AlterConfigs with a null key and a bad value
                AlterConfigsRequestData legacy = new AlterConfigsRequestData();
                AlterConfigsRequestData.AlterConfigsResource lr = new AlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType((byte) 32)
                        .setResourceName("plain");
                lr.configs()
                        .add(new AlterConfigsRequestData.AlterableConfig()
                                .setName("share.record.lock.duration.ms")
                                .setValue("0"));
                legacy.resources().add(lr);
                AlterConfigsResponseData legacyAnswer = w.send(legacy, 2);
                assertEquals(
                        Errors.INVALID_CONFIG.code(),
                        legacyAnswer.responses().get(0).errorCode());

                assertEquals(
                        List.of(longId, oddId, "plain", "far").stream().sorted().toList(), listed(w));
                assertEquals(Map.of("share.isolation.level", "read_committed"), described(w, "plain"));
                assertEquals(Map.of("share.record.lock.duration.ms", "20000"), described(w, oddId));
                assertEquals(Map.of(), described(w, "many"));
            }
            survival.assertServedAndRestartsIntact();
            try (KafkaWire w = new KafkaWire(broker.host(), broker.port())) {
                assertEquals(
                        List.of(longId, oddId, "plain", "far").stream().sorted().toList(), listed(w));
                assertEquals(Map.of("share.auto.offset.reset", "earliest"), described(w, longId));
                assertEquals(Map.of("share.record.lock.duration.ms", "20000"), described(w, oddId));
                assertEquals(Map.of("share.isolation.level", "read_committed"), described(w, "plain"));
            }
        }
    }
}
