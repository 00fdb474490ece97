package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AlterClientQuotas and DescribeClientQuotas against Apache Kafka 4.1.1: the error of every malformed alteration
 * (entity combinations, unknown keys and types, values out of range, duplicate keys, validate_only), then what
 * each filter (exact, default, any; strict or not) describes of what was stored. Entities and values are compared
 * as sets (Kafka answers in hash order).
 */
class ClientQuotasMatchKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private static EntityData part(String type, String name) {
        return new EntityData().setEntityType(type).setEntityName(name);
    }

    private static OpData set(String key, double value) {
        return new OpData().setKey(key).setValue(value);
    }

    private static OpData remove(String key) {
        return new OpData().setKey(key).setRemove(true);
    }

    private static EntryData entry(List<EntityData> entity, OpData... ops) {
        return new EntryData().setEntity(new ArrayList<>(entity)).setOps(new ArrayList<>(Arrays.asList(ops)));
    }

    private static String name(List<String> parts) {
        return String.join(",", new TreeSet<>(parts));
    }

    private static TreeSet<String> alter(
            OracleAndSkiff.Target t, boolean validateOnly, int version, EntryData... entries) throws Exception {
        try (KafkaWire w = t.connect()) {
            AlterClientQuotasResponseData r = w.send(
                    new AlterClientQuotasRequestData()
                            .setEntries(new ArrayList<>(Arrays.asList(entries)))
                            .setValidateOnly(validateOnly),
                    version);
            TreeSet<String> out = new TreeSet<>();
            for (AlterClientQuotasResponseData.EntryData e : r.entries()) {
                List<String> parts = new ArrayList<>();
                e.entity().forEach(p -> parts.add(p.entityType() + "=" + p.entityName()));
                out.add(name(parts) + " " + Errors.forCode(e.errorCode()));
            }
            return out;
        }
    }

    /** Differences, all reported at the end so one run shows every one. */
    private static final List<String> differences = new ArrayList<>();

    private static void same(String what, EntryData... entries) throws Exception {
        soft(what + " v0", t -> alter(t, false, 0, entries));
    }

    private static <T> void soft(String what, OracleAndSkiff.Question<T> question) throws Exception {
        try {
            brokers.same(what, question);
        } catch (AssertionError e) {
            differences.add(e.getMessage());
        }
    }

    private static String describe(OracleAndSkiff.Target t, boolean strict, ComponentData... components)
            throws Exception {
        try (KafkaWire w = t.connect()) {
            DescribeClientQuotasResponseData r = w.send(
                    new DescribeClientQuotasRequestData()
                            .setComponents(new ArrayList<>(Arrays.asList(components)))
                            .setStrict(strict),
                    1);
            if (r.errorCode() != 0) return Errors.forCode(r.errorCode()).name();
            TreeSet<String> out = new TreeSet<>();
            for (DescribeClientQuotasResponseData.EntryData e : r.entries()) {
                List<String> parts = new ArrayList<>();
                e.entity().forEach(p -> parts.add(p.entityType() + "=" + p.entityName()));
                List<String> values = new ArrayList<>();
                e.values().forEach(v -> values.add(v.key() + "=" + v.value()));
                out.add(name(parts) + " " + name(values));
            }
            return out.toString();
        }
    }

    private static ComponentData exact(String type, String name) {
        return new ComponentData().setEntityType(type).setMatchType((byte) 0).setMatch(name);
    }

    private static ComponentData ofDefault(String type) {
        return new ComponentData().setEntityType(type).setMatchType((byte) 1).setMatch(null);
    }

    private static ComponentData any(String type) {
        return new ComponentData().setEntityType(type).setMatchType((byte) 2).setMatch(null);
    }

    @Test
    void alterErrorsThenDescribeFilters() throws Exception {
        List<EntityData> client = List.of(part("client-id", "c1"));
        // refused alterations first: nothing of them may be stored
        same("empty entity", entry(List.of(), set("producer_byte_rate", 1024)));
        same("ip with user", entry(List.of(part("ip", "10.0.0.1"), part("user", "u")), set("request_percentage", 5)));
        same(
                "ip with client id",
                entry(List.of(part("ip", null), part("client-id", "c")), set("request_percentage", 5)));
        same("unknown entity type", entry(List.of(part("group", "g")), set("producer_byte_rate", 1024)));
        same("empty user name", entry(List.of(part("user", "")), set("producer_byte_rate", 1024)));
        same("empty client id", entry(List.of(part("client-id", "")), set("producer_byte_rate", 1024)));
        same("unknown key", entry(client, set("no_such_rate", 1024)));
        same("ip key on a client", entry(client, set("connection_creation_rate", 10)));
        same("client key on an ip", entry(List.of(part("ip", "10.0.0.2")), set("producer_byte_rate", 10)));
        same("SCRAM key on a user", entry(List.of(part("user", "u")), set("SCRAM-SHA-256", 4096)));
        same("zero", entry(client, set("producer_byte_rate", 0)));
        same("negative", entry(client, set("consumer_byte_rate", -5)));
        same("fraction of a long", entry(client, set("producer_byte_rate", 1.5)));
        same("fraction of an int", entry(List.of(part("ip", null)), set("connection_creation_rate", 2.5)));
        same("too large for a long", entry(client, set("producer_byte_rate", 1e19)));
        same("too large for an int", entry(List.of(part("ip", null)), set("connection_creation_rate", 3e9)));
        same("a key twice", entry(client, set("producer_byte_rate", 1024), set("producer_byte_rate", 2048)));
        same("not an address", entry(List.of(part("ip", "1:2:3:zz::")), set("connection_creation_rate", 10)));
        same(
                "one good one bad",
                entry(List.of(part("client-id", "c-bad")), set("producer_byte_rate", 1024), set("nope", 1)));
        same("remove of what is not there", entry(List.of(part("client-id", "c-none")), remove("producer_byte_rate")));
        soft(
                "validate_only",
                t -> alter(t, true, 1, entry(List.of(part("client-id", "c-validated")), set("producer_byte_rate", 1))));
        soft("nothing stored yet", t -> describe(t, false));

        // what is stored
        same("client id", entry(client, set("producer_byte_rate", 1024), set("consumer_byte_rate", 2048)));
        same("default client id", entry(List.of(part("client-id", null)), set("request_percentage", 12.5)));
        same("user", entry(List.of(part("user", "u1")), set("controller_mutation_rate", 0.5)));
        same("default user", entry(List.of(part("user", null)), set("producer_byte_rate", 4096)));
        same(
                "user and client id",
                entry(List.of(part("user", "u1"), part("client-id", "c1")), set("consumer_byte_rate", 100)));
        same(
                "user and default client id",
                entry(List.of(part("user", "u1"), part("client-id", null)), set("producer_byte_rate", 300)));
        same(
                "default user and client id",
                entry(List.of(part("user", null), part("client-id", "c2")), set("producer_byte_rate", 400)));
        same("ip", entry(List.of(part("ip", "10.0.0.1")), set("connection_creation_rate", 10)));
        same("default ip", entry(List.of(part("ip", null)), set("connection_creation_rate", 20)));
        same(
                "two entities, one request",
                entry(List.of(part("client-id", "c3")), set("producer_byte_rate", 1)),
                entry(List.of(part("user", "u3")), set("consumer_byte_rate", 2)));
        same("user then remove", entry(List.of(part("user", "u3")), remove("consumer_byte_rate")));
        soft(
                "v1 change of a value",
                t -> alter(t, false, 1, entry(List.of(part("client-id", "c3")), set("producer_byte_rate", 7))));

        // Kafka's brokers learn the change from the metadata log: wait until it shows every entity
        String all = describe(brokers.skiff(), false);
        assertTrue(all.contains("client-id=c1 consumer_byte_rate=2048.0,producer_byte_rate=1024.0"), all);
        assertTrue(all.contains("ip=null connection_creation_rate=20.0"), all);
        assertFalse(all.contains("c-validated") || all.contains("c-bad") || all.contains("u3"), all);
        Poll.until(
                "Apache Kafka to describe every quota stored",
                () -> describe(brokers.oracle(), false),
                x -> Objects.equals(x, all));

        describeSame("everything, strict", true);
        describeSame("user exact", false, exact("user", "u1"));
        describeSame("user exact, strict", true, exact("user", "u1"));
        describeSame("user default", false, ofDefault("user"));
        describeSame("user default, strict", true, ofDefault("user"));
        describeSame("user any", false, any("user"));
        describeSame("user any, strict", true, any("user"));
        describeSame("client id exact", false, exact("client-id", "c1"));
        describeSame("client id default", false, ofDefault("client-id"));
        describeSame("client id any, strict", true, any("client-id"));
        describeSame("user and client id", false, exact("user", "u1"), exact("client-id", "c1"));
        describeSame("user any and client id default", true, any("user"), ofDefault("client-id"));
        describeSame("no such user", false, exact("user", "nobody"));
        describeSame("ip any", false, any("ip"));
        describeSame("ip exact", false, exact("ip", "10.0.0.1"));
        describeSame("ip default", true, ofDefault("ip"));
        describeSame("ip with user", false, any("ip"), any("user"));
        describeSame("unknown type", false, any("group"));
        describeSame("type twice", false, any("user"), exact("user", "u1"));
        describeSame("empty type", false, any(""));
        describeSame(
                "match type 3", false, new ComponentData().setEntityType("user").setMatchType((byte) 3));
        describeSame("exact without a name", false, exact("user", null));
        describeSame(
                "type twice, then a bad match type",
                false,
                any("user"),
                any("user"),
                new ComponentData().setEntityType("client-id").setMatchType((byte) 5));
        describeSame("unknown type, then an exact match without a name", false, any("group"), exact("user", null));
        describeSame("unknown type with an exact match without a name", false, exact("group", null));
        describeSame(
                "match type 3, then an unknown type",
                false,
                new ComponentData().setEntityType("user").setMatchType((byte) 3),
                any("group"));
        describeSame(
                "unknown type with match type 9",
                false,
                new ComponentData().setEntityType("group").setMatchType((byte) 9));
        assertEquals(List.of(), differences);
    }

    private static void describeSame(String what, boolean strict, ComponentData... components) throws Exception {
        soft("describe " + what, t -> describe(t, strict, components));
    }
}
