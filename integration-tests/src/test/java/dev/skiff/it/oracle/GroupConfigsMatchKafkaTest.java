package dev.skiff.it.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group configs (GROUP config resources, type 32) against Apache Kafka 4.1.1 on one node: IncrementalAlterConfigs
 * (every key, unknown keys, values that do not parse, values outside the broker's bounds, APPEND/SUBTRACT, DELETE,
 * null values, an unknown operation, empty and odd group ids, validate_only), the legacy AlterConfigs,
 * DescribeConfigs of a group never configured and of configured ones (values, sources, types, synonyms), and
 * ListConfigResources of groups. Both brokers run with {@code group.consumer.session.timeout.ms=50000}, so the
 * defaults described follow the broker's settings.
 */
class GroupConfigsMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff().property("group.consumer.session.timeout.ms", "50000");

    private static final byte SET = 0, DELETE = 1, APPEND = 2, SUBTRACT = 3;

    private static String alter(OracleAndSkiff.Target t, String group, String key, String value, byte op, boolean check)
            throws Exception {
        try (KafkaWire w = t.connect()) {
            IncrementalAlterConfigsRequestData.AlterConfigsResource res =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                            .setResourceType((byte) 32)
                            .setResourceName(group);
            res.configs()
                    .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                            .setName(key)
                            .setValue(value)
                            .setConfigOperation(op));
            IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData().setValidateOnly(check);
            req.resources().add(res);
            IncrementalAlterConfigsResponseData r = w.send(req, 1);
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse a =
                    r.responses().get(0);
            // Kafka gives no message with UNKNOWN_SERVER_ERROR
            return Errors.forCode(a.errorCode()) + (a.errorCode() == -1 ? "" : " " + a.errorMessage());
        }
    }

    private static String describe(OracleAndSkiff.Target t, String group, List<String> keys) throws Exception {
        try (KafkaWire w = t.connect()) {
            DescribeConfigsRequestData req = new DescribeConfigsRequestData().setIncludeSynonyms(true);
            req.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType((byte) 32)
                            .setResourceName(group)
                            .setConfigurationKeys(keys));
            DescribeConfigsResponseData r = w.send(req, 4);
            List<String> out = new ArrayList<>();
            for (DescribeConfigsResponseData.DescribeConfigsResult res : r.results()) {
                out.add(Errors.forCode(res.errorCode()) + " " + res.errorMessage());
                for (DescribeConfigsResponseData.DescribeConfigsResourceResult c : res.configs())
                    out.add(c.name() + "=" + c.value() + " readOnly=" + c.readOnly() + " source=" + c.configSource()
                            + " type=" + c.configType() + " sensitive=" + c.isSensitive() + " synonyms="
                            + c.synonyms().stream()
                                    .map(s -> s.name() + "=" + s.value() + "@" + s.source())
                                    .toList());
            }
            return String.join("\n", out);
        }
    }

    private static List<String> listedGroups(OracleAndSkiff.Target t, List<Byte> types) throws Exception {
        try (KafkaWire w = t.connect()) {
            ListConfigResourcesResponseData r = w.send(new ListConfigResourcesRequestData().setResourceTypes(types), 1);
            TreeSet<String> groups = new TreeSet<>();
            for (ListConfigResourcesResponseData.ConfigResource c : r.configResources())
                if (c.resourceType() == 32) groups.add(c.resourceName());
            List<String> out = new ArrayList<>();
            out.add(Errors.forCode(r.errorCode()).name());
            out.addAll(groups);
            return out;
        }
    }

    private static void sameAlter(String what, String group, String key, String value, byte op) throws Exception {
        brokers.same(what, t -> alter(t, group, key, value, op, false));
    }

    @Test
    void describeOfAGroupNeverConfigured() throws Exception {
        brokers.same("describe of a group never configured", t -> describe(t, "gc-fresh", null));
        brokers.same("describe of two keys", t -> describe(t, "gc-fresh", List.of("share.isolation.level", "nope")));
        brokers.same("describe of the empty group", t -> describe(t, "", null));
        brokers.same("the fresh group is not listed", t -> listedGroups(t, List.of((byte) 32)));
    }

    @Test
    void alterValidationAndDescribe() throws Exception {
        String g = "gc-one";
        sameAlter("set consumer.session.timeout.ms", g, "consumer.session.timeout.ms", "50000", SET);
        sameAlter("unknown key", g, "foo.bar", "1", SET);
        sameAlter("below the broker's minimum", g, "consumer.session.timeout.ms", "1000", SET);
        sameAlter("above the broker's maximum", g, "consumer.session.timeout.ms", "100000", SET);
        sameAlter("zero", g, "consumer.session.timeout.ms", "0", SET);
        sameAlter("negative", g, "share.session.timeout.ms", "-5", SET);
        sameAlter("not a number", g, "consumer.session.timeout.ms", "abc", SET);
        sameAlter("too large for an int", g, "consumer.heartbeat.interval.ms", "99999999999", SET);
        sameAlter("null value", g, "consumer.session.timeout.ms", null, SET);
        sameAlter("lock below its floor", g, "share.record.lock.duration.ms", "999", SET);
        sameAlter("lock below the broker's minimum", g, "share.record.lock.duration.ms", "1000", SET);
        sameAlter("lock above the broker's maximum", g, "share.record.lock.duration.ms", "60001", SET);
        sameAlter("lock at the minimum", g, "share.record.lock.duration.ms", "15000", SET);
        sameAlter("reset foo", g, "share.auto.offset.reset", "foo", SET);
        sameAlter("reset EARLIEST", g, "share.auto.offset.reset", "EARLIEST", SET);
        sameAlter("reset by_duration negative", g, "share.auto.offset.reset", "by_duration:-PT1H", SET);
        sameAlter("reset by_duration garbage", g, "share.auto.offset.reset", "by_duration:1h", SET);
        sameAlter("reset by_duration", g, "share.auto.offset.reset", "by_duration:PT1H", SET);
        sameAlter("reset earliest", g, "share.auto.offset.reset", " earliest ", SET);
        sameAlter("isolation bogus", g, "share.isolation.level", "bogus", SET);
        sameAlter("isolation READ_COMMITTED", g, "share.isolation.level", "READ_COMMITTED", SET);
        sameAlter("isolation read_committed", g, "share.isolation.level", "read_committed", SET);
        sameAlter("heartbeat below the minimum", g, "consumer.heartbeat.interval.ms", "4999", SET);
        sameAlter("heartbeat above the maximum", g, "consumer.heartbeat.interval.ms", "15001", SET);
        sameAlter("heartbeat", g, "consumer.heartbeat.interval.ms", "6000", SET);
        sameAlter("share heartbeat", g, "share.heartbeat.interval.ms", "7000", SET);
        sameAlter("share session", g, "share.session.timeout.ms", "46000", SET);
        sameAlter("streams standby above the maximum", g, "streams.num.standby.replicas", "3", SET);
        sameAlter("streams standby", g, "streams.num.standby.replicas", "2", SET);
        sameAlter("streams session", g, "streams.session.timeout.ms", "50000", SET);
        sameAlter("streams heartbeat", g, "streams.heartbeat.interval.ms", "15000", SET);
        sameAlter("append", g, "consumer.session.timeout.ms", "50000", APPEND);
        sameAlter("subtract", g, "share.auto.offset.reset", "latest", SUBTRACT);
        sameAlter("delete", g, "streams.heartbeat.interval.ms", null, DELETE);
        sameAlter("delete of a key not set", g, "streams.heartbeat.interval.ms", null, DELETE);
        sameAlter("delete of an unknown key", g, "foo.bar", null, DELETE);
        sameAlter("unknown operation", g, "consumer.session.timeout.ms", "50000", (byte) 9);
        brokers.same("validate only", t -> alter(t, "gc-checked", "consumer.session.timeout.ms", "50000", SET, true));
        brokers.same("validate only, bad", t -> alter(t, "gc-checked", "consumer.session.timeout.ms", "5", SET, true));
        sameAlter("the empty group", "", "consumer.session.timeout.ms", "50000", SET);
        sameAlter("an odd group id", "gc a/b\u00e9\u0001", "consumer.session.timeout.ms", "50000", SET);
        sameAlter("a long group id", "gc-" + "x".repeat(400), "share.isolation.level", "read_committed", SET);
        brokers.same("describe after the changes", t -> describe(t, g, null));
        brokers.same("describe of the odd group", t -> describe(t, "gc a/b\u00e9\u0001", null));
        brokers.same("describe of the validated group", t -> describe(t, "gc-checked", null));
    }

    @Test
    void legacyAlterConfigsReplacesTheSet() throws Exception {
        String g = "gc-legacy";
        sameAlter("set two keys", g, "share.isolation.level", "read_committed", SET);
        for (String[] pair : List.of(
                new String[] {"share.record.lock.duration.ms", "20000"},
                new String[] {"nope", "1"},
                new String[] {"share.record.lock.duration.ms", "1"})) {
            brokers.same("legacy alter " + pair[0] + "=" + pair[1], t -> {
                try (KafkaWire w = t.connect()) {
                    AlterConfigsRequestData.AlterConfigsResource res =
                            new AlterConfigsRequestData.AlterConfigsResource()
                                    .setResourceType((byte) 32)
                                    .setResourceName(g);
                    res.configs()
                            .add(new AlterConfigsRequestData.AlterableConfig()
                                    .setName(pair[0])
                                    .setValue(pair[1]));
                    AlterConfigsRequestData req = new AlterConfigsRequestData();
                    req.resources().add(res);
                    AlterConfigsResponseData r = w.send(req, 2);
                    return Errors.forCode(r.responses().get(0).errorCode()) + " "
                            + r.responses().get(0).errorMessage();
                }
            });
        }
        brokers.same("describe after legacy alter", t -> describe(t, g, null));
    }

    @Test
    void listedOnceConfiguredEvenWithNoKeysLeft() throws Exception {
        sameAlter("configure", "gc-listed", "share.auto.offset.reset", "earliest", SET);
        sameAlter("delete the only key", "gc-listed", "share.auto.offset.reset", null, DELETE);
        brokers.same(
                "groups listed",
                t -> listedGroups(t, List.of((byte) 32)).stream()
                        .filter(n -> !n.startsWith("gc-") || n.equals("gc-listed"))
                        .toList());
        brokers.same(
                "groups listed with every type",
                t -> listedGroups(t, List.of()).stream()
                        .filter(n -> !n.startsWith("gc-") || n.equals("gc-listed"))
                        .toList());
    }
}
