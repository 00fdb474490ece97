package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * librdkafka (kcat) and kafka-python with SASL PLAIN over TLS, trusting the broker through the PEM of
 * {@code trustStore()}. Each
 * skips when its client is not installed (see {@code .ci/install-clients.sh}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecuredNonJavaClientsTest {

    private static EmbeddedSkiff broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .tls()
                .sasl("PLAIN")
                .user("alice", "alice-secret")
                .start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void kcatProducesAndConsumesWithPlainOverTls() {
        String kcat = ClientScripts.assumeKcat();
        broker.createTopic("kcat-secured", 2);
        List<String> secured = new ArrayList<>(List.of(
                kcat,
                "-b",
                broker.bootstrapServers(),
                "-X",
                "security.protocol=SASL_SSL",
                "-X",
                "sasl.mechanisms=PLAIN",
                "-X",
                "sasl.username=alice",
                "-X",
                "sasl.password=alice-secret",
                "-X",
                "ssl.ca.location=" + broker.trustStore().pemFile()));
        List<String> produce = new ArrayList<>(secured);
        produce.addAll(List.of("-P", "-t", "kcat-secured", "-K", ":"));
        ClientScripts.run(produce, Map.of(), "a:1\nb:2\nc:3\n").ok();
        assertEquals(3, broker.recordCount("kcat-secured"));
        List<String> consume = new ArrayList<>(secured);
        consume.addAll(List.of("-C", "-t", "kcat-secured", "-e", "-q", "-f", "%k=%s\\n"));
        String out = ClientScripts.run(consume, Map.of(), null).ok().stdout();
        assertEquals(
                new TreeSet<>(List.of("a=1", "b=2", "c=3")),
                new TreeSet<>(out.lines().toList()),
                out);
    }

    @Test
    void kafkaPythonProducesAndConsumesWithPlainOverTls() {
        ClientScripts.assumePythonModule("kafka");
        broker.createTopic("python-secured", 1);
        String script = """
                import sys
                from kafka import KafkaProducer, KafkaConsumer
                common = dict(bootstrap_servers=sys.argv[1], security_protocol='SASL_SSL', sasl_mechanism='PLAIN',
                              sasl_plain_username='alice', sasl_plain_password='alice-secret', ssl_cafile=sys.argv[2],
                              api_version_auto_timeout_ms=20000)
                p = KafkaProducer(**common)
                for i in range(3):
                    p.send('python-secured', value=('v%d' % i).encode()).get(timeout=20)
                p.close()
                c = KafkaConsumer('python-secured', auto_offset_reset='earliest', consumer_timeout_ms=10000, **common)
                for m in c:
                    print('GOT ' + m.value.decode())
                    if m.offset == 2:
                        break
                c.close()
                """;
        ClientScripts.Result r = ClientScripts.run(
                        List.of(
                                ClientScripts.PYTHON,
                                "-c",
                                script,
                                broker.bootstrapServers(),
                                broker.trustStore().pemFile().toString()),
                        Map.of(),
                        null)
                .ok();
        assertEquals(List.of("v0", "v1", "v2"), r.lines("GOT"));
    }
}
