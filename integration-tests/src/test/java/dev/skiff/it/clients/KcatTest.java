package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kcat (librdkafka's command line client) with its defaults: metadata, keyed produce, consume to the end. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KcatTest {

    @RegisterExtension
    static final ClientBroker clients = new ClientBroker("kcat");

    private String kcat;

    @BeforeEach
    void needsClient() {
        kcat = ClientScripts.assumeKcat();
    }

    private ClientScripts.Result kcat(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(kcat, "-b", clients.broker().bootstrapServers()));
        cmd.addAll(List.of(args));
        return ClientScripts.run(cmd, Map.of(), stdin).ok();
    }

    @Test
    void metadata() {
        String topic = BrokerFixture.uniqueTopic("kcat-md");
        clients.broker().createTopic(topic, 2);
        String out = kcat(null, "-L").stdout();
        assertTrue(out.contains("broker 0 at " + clients.broker().bootstrapServers()), out);
        assertTrue(out.contains("topic \"" + topic + "\" with 2 partitions:"), out);
        assertTrue(out.contains("partition 1, leader 0, replicas: 0, isrs: 0"), out);
    }

    @Test
    void producesAndConsumesKeyedMessages() {
        String topic = BrokerFixture.uniqueTopic("kcat-keys");
        clients.broker().createTopic(topic, 3);
        StringBuilder in = new StringBuilder();
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            in.append("key-").append(i).append(":value-").append(i).append('\n');
            expected.add("key-" + i + "=value-" + i);
        }
        kcat(in.toString(), "-P", "-t", topic, "-K", ":");
        assertEquals(8, clients.broker().recordCount(topic));

        // -e: exit at the end of every partition; -q: no informational lines on stdout
        String out = kcat(null, "-C", "-t", topic, "-e", "-q", "-f", "%k=%s\\n").stdout();
        assertEquals(expected, new TreeSet<>(out.lines().toList()), out);
        assertEquals(8, out.lines().count(), out);
    }
}
