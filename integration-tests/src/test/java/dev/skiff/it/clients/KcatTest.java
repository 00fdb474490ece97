package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** kcat (librdkafka's command line client) with its defaults: metadata, keyed produce, consume to the end. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KcatTest {

    private static EmbeddedSkiff broker;
    private static ApiUsage usage;
    private String kcat;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder().port(0).property("num.partitions", "3").start();
        usage = ApiUsage.attach(broker);
    }

    @AfterAll
    static void stop() {
        if (broker == null) return;
        usage.report("kcat");
        broker.close();
    }

    @BeforeEach
    void needsClient() {
        kcat = ClientScripts.assumeKcat();
    }

    private ClientScripts.Result kcat(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(kcat, "-b", broker.bootstrapServers()));
        cmd.addAll(List.of(args));
        return ClientScripts.run(cmd, Map.of(), stdin).ok();
    }

    @Test
    void metadata() {
        String topic = BrokerFixture.uniqueTopic("kcat-md");
        broker.createTopic(topic, 2);
        String out = kcat(null, "-L").stdout();
        assertTrue(out.contains("broker 0 at " + broker.bootstrapServers()), out);
        assertTrue(out.contains("topic \"" + topic + "\" with 2 partitions:"), out);
        assertTrue(out.contains("partition 1, leader 0, replicas: 0, isrs: 0"), out);
    }

    @Test
    void producesAndConsumesKeyedMessages() {
        String topic = BrokerFixture.uniqueTopic("kcat-keys");
        broker.createTopic(topic, 3);
        StringBuilder in = new StringBuilder();
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            in.append("key-").append(i).append(":value-").append(i).append('\n');
            expected.add("key-" + i + "=value-" + i);
        }
        kcat(in.toString(), "-P", "-t", topic, "-K", ":");
        assertEquals(8, broker.recordCount(topic));

        // -e: exit at the end of every partition; -q: no informational lines on stdout
        String out = kcat(null, "-C", "-t", topic, "-e", "-q", "-f", "%k=%s\\n").stdout();
        assertEquals(expected, new TreeSet<>(out.lines().toList()), out);
        assertEquals(8, out.lines().count(), out);
    }
}
