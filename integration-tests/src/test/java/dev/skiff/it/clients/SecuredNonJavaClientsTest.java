package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The non-Java clients over TLS with SASL, trusting the broker through the PEM of {@code trustStore()}: librdkafka
 * (kcat and confluent-kafka) with PLAIN, KafkaJS and kafka-python with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
 * Debian's librdkafka 2.0.2 repeats the client nonce in its SCRAM client-final message (fixed in 2.6.1), which
 * Kafka 4.x refuses as not the server-first nonce; Skiff refuses it the same way. Each test skips when its
 * client is not installed (see {@code .ci/install-clients.sh}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecuredNonJavaClientsTest {

    private static EmbeddedSkiff broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .tls()
                .sasl("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
                .user("alice", "alice-secret")
                .listener("SASL_PLAIN", "SASL_PLAINTEXT")
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
    void kafkaPythonProducesAndConsumesOverTls(String mechanism) {
        ClientScripts.assumePythonModule("kafka");
        String topic = "python-" + mechanism.toLowerCase(Locale.ROOT);
        broker.createTopic(topic, 1);
        String script = """
                import sys
                from kafka import KafkaProducer, KafkaConsumer
                topic = sys.argv[4]
                common = dict(bootstrap_servers=sys.argv[1], security_protocol='SASL_SSL', sasl_mechanism=sys.argv[3],
                              sasl_plain_username='alice', sasl_plain_password='alice-secret', ssl_cafile=sys.argv[2],
                              api_version_auto_timeout_ms=20000)
                p = KafkaProducer(**common)
                for i in range(3):
                    p.send(topic, value=('v%d' % i).encode()).get(timeout=20)
                p.close()
                c = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=10000, **common)
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
                                broker.trustStore().pemFile().toString(),
                                mechanism,
                                topic),
                        Map.of(),
                        null)
                .ok();
        assertEquals(List.of("v0", "v1", "v2"), r.lines("GOT"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "scram-sha-256", "scram-sha-512"})
    void kafkaJsProducesAndConsumesInAGroupOverTls(String mechanism) {
        ClientScripts.assumeKafkaJs();
        String topic = "js-" + mechanism;
        broker.createTopic(topic, 1);
        ClientScripts.Result r = kafkaJs(mechanism, "alice-secret", "roundtrip", topic, "g-" + topic)
                .ok();
        assertEquals(List.of("v0", "v1", "v2"), r.lines("GOT"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "scram-sha-512"})
    void kafkaJsWithAWrongPasswordIsRefusedWithKafkasMessage(String mechanism) {
        ClientScripts.assumeKafkaJs();
        List<String> failed = kafkaJs(mechanism, "wrong", "login").ok().lines("AUTH_FAILED");
        assertEquals(1, failed.size(), failed::toString);
        String expected = mechanism.equals("plain")
                ? "Authentication failed: Invalid username or password"
                : "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                        + "SCRAM-SHA-512";
        assertTrue(failed.get(0).contains(expected), failed::toString);
    }

    @Test
    void confluentKafkaProducesAndConsumesInAGroupWithPlainOverTls() {
        ClientScripts.assumePythonModule("confluent_kafka");
        broker.createTopic("rdkafka-secured", 1);
        ClientScripts.Result r = rdkafka("PLAIN", "roundtrip", "rdkafka-secured", "rdkafka-secured-group")
                .ok();
        assertEquals(List.of("v0", "v1", "v2"), r.lines("GOT"));
    }

    /**
     * librdkafka 2.0.2 sends {@code r=<client nonce><client nonce><server nonce>} in its client-final message.
     * Kafka 4.x compares the nonce with the server-first one exactly and fails the exchange; so does Skiff, and the
     * client sees the authentication failure with Kafka's message, although the password is right.
     */
    @Test
    void librdkafka202RepeatsTheScramNonceAndIsRefusedAsByKafka() throws Exception {
        ClientScripts.assumePythonModule("confluent_kafka");
        String version = ClientScripts.run(
                        List.of(
                                ClientScripts.PYTHON,
                                "-c",
                                "import confluent_kafka; print(confluent_kafka.libversion()[0])"),
                        Map.of(),
                        null)
                .ok()
                .stdout()
                .strip();
        assumeTrue(version.equals("2.0.2"), () -> "librdkafka " + version + " is installed, not 2.0.2");
        ClientScripts.Result r = rdkafka("SCRAM-SHA-256", "login").ok();
        assertEquals(List.of(), r.lines("TOPICS"), r.stdout());
        List<String> failed = r.lines("AUTH_FAILED");
        assertEquals(1, failed.size(), r.stdout());
        assertTrue(
                failed.get(0)
                        .contains("Authentication failed during authentication due to invalid credentials with SASL "
                                + "mechanism SCRAM-SHA-256"),
                failed::toString);
        // the same user and password over PLAIN are accepted: it is the nonce that is refused
        assertEquals(1, rdkafka("PLAIN", "login").ok().lines("TOPICS").size());

        // and the nonce is what librdkafka got wrong: over SASL_PLAINTEXT, through a recording proxy
        try (RecordingProxy proxy = new RecordingProxy(broker.bootstrapServers("SASL_PLAIN"))) {
            List<String> args = List.of(proxy.address(), "-", "SCRAM-SHA-256", "alice", "alice-secret", "login");
            ClientScripts.Result plain = ClientScripts.python("rdkafka_secured.py", args.toArray(String[]::new))
                    .ok();
            assertEquals(1, plain.lines("AUTH_FAILED").size(), plain.stdout());
            String sent = proxy.sent();
            Matcher first =
                    Pattern.compile("n,,n=alice,r=([\\x21-\\x2B\\x2D-\\x7E]+)").matcher(sent);
            Matcher last =
                    Pattern.compile("c=biws,r=([\\x21-\\x2B\\x2D-\\x7E]+),p=").matcher(sent);
            assertTrue(first.find() && last.find(), sent);
            String clientNonce = first.group(1);
            assertTrue(
                    last.group(1).startsWith(clientNonce + clientNonce),
                    () -> "client nonce " + clientNonce + ", client-final nonce " + last.group(1));
        }
    }

    private static ClientScripts.Result kafkaJs(String mechanism, String password, String... command) {
        List<String> args = new ArrayList<>(List.of(
                broker.bootstrapServers(), broker.trustStore().pemFile().toString(), mechanism, "alice", password));
        args.addAll(List.of(command));
        return ClientScripts.node("kafkajs_secured.js", args.toArray(String[]::new));
    }

    private static ClientScripts.Result rdkafka(String mechanism, String... command) {
        List<String> args = new ArrayList<>(List.of(
                broker.bootstrapServers(),
                broker.trustStore().pemFile().toString(),
                mechanism,
                "alice",
                "alice-secret"));
        args.addAll(List.of(command));
        return ClientScripts.python("rdkafka_secured.py", args.toArray(String[]::new));
    }

    /** Forwards connections to a broker listener and keeps every byte the clients sent. */
    private static final class RecordingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        RecordingProxy(String target) throws IOException {
            String host = target.substring(0, target.lastIndexOf(':'));
            int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = server.accept();
                        Socket upstream = new Socket(host, port);
                        sockets.add(client);
                        sockets.add(upstream);
                        pump(client, upstream, true);
                        pump(upstream, client, false);
                    }
                } catch (IOException closed) {
                    // the proxy is closed
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private void pump(Socket from, Socket to, boolean record) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = from.getInputStream().read(buf)) > 0; ) {
                        if (record) {
                            synchronized (sent) {
                                sent.write(buf, 0, n);
                            }
                        }
                        to.getOutputStream().write(buf, 0, n);
                    }
                } catch (IOException closed) {
                    // either side closed
                } finally {
                    try {
                        to.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        String sent() {
            synchronized (sent) {
                return sent.toString(StandardCharsets.ISO_8859_1);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) s.close();
        }
    }
}
