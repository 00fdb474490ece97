package dev.skiff.it.tools;

import static dev.skiff.it.tools.KafkaTool.configs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock {@code kafka-configs} (kafka.admin.ConfigCommand of Kafka 4.1) managing client quotas on Skiff, as the
 * Kafka documentation shows: a client id's producer_byte_rate, a user's default client quota, an IP's connection
 * rate; describe them, delete one, and find them again after a restart.
 */
class KafkaConfigsQuotasTest {

    @TempDir
    Path dir;

    private static void assertQuotas(String output, String... parts) {
        assertTrue(output.contains("Quota configs for"), output);
        for (String part : parts) assertTrue(output.contains(part), () -> "no " + part + " in:\n" + output);
    }

    @Test
    void alterDescribeAndDeleteClientQuotas() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().dataDir(dir).start()) {
            String b = skiff.bootstrapServers();
            String added = configs(
                    "--bootstrap-server",
                    b,
                    "--alter",
                    "--add-config",
                    "producer_byte_rate=1024,consumer_byte_rate=2048",
                    "--entity-type",
                    "clients",
                    "--entity-name",
                    "c1");
            assertTrue(added.contains("Completed updating config for client c1."), added);
            configs(
                    "--bootstrap-server",
                    b,
                    "--alter",
                    "--add-config",
                    "request_percentage=50",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "alice",
                    "--entity-type",
                    "clients",
                    "--entity-default");
            configs(
                    "--bootstrap-server",
                    b,
                    "--alter",
                    "--add-config",
                    "connection_creation_rate=10",
                    "--entity-type",
                    "ips",
                    "--entity-name",
                    "10.1.2.3");

            String client =
                    configs("--bootstrap-server", b, "--describe", "--entity-type", "clients", "--entity-name", "c1");
            assertQuotas(client, "'c1'", "producer_byte_rate=1024.0", "consumer_byte_rate=2048.0");
            String user = configs(
                    "--bootstrap-server",
                    b,
                    "--describe",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "alice",
                    "--entity-type",
                    "clients",
                    "--entity-default");
            assertQuotas(user, "'alice'", "request_percentage=50.0");
            String ip =
                    configs("--bootstrap-server", b, "--describe", "--entity-type", "ips", "--entity-name", "10.1.2.3");
            assertQuotas(ip, "'10.1.2.3'", "connection_creation_rate=10.0");

            configs(
                    "--bootstrap-server",
                    b,
                    "--alter",
                    "--delete-config",
                    "consumer_byte_rate",
                    "--entity-type",
                    "clients",
                    "--entity-name",
                    "c1");
            skiff.restart();
            String after =
                    configs("--bootstrap-server", b, "--describe", "--entity-type", "clients", "--entity-name", "c1");
            assertQuotas(after, "'c1'", "producer_byte_rate=1024.0");
            assertTrue(!after.contains("consumer_byte_rate"), after);
        }
    }
}
