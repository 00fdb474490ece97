package dev.skiff.it.tools;

import static dev.skiff.it.tools.KafkaTool.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock {@code kafka-configs} (kafka.admin.ConfigCommand of Kafka 4.1) managing SCRAM users on Skiff: add a
 * credential, describe it, delete it, as the Kafka documentation shows.
 */
class KafkaConfigsScramTest {

    @TempDir
    Path dir;

    @Test
    void addDescribeDeleteScramUser() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().dataDir(dir).start()) {
            String bootstrap = skiff.bootstrapServers();
            String added = configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--alter",
                    "--add-config",
                    "SCRAM-SHA-256=[iterations=8192,password=alice-secret]",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "alice");
            assertTrue(added.contains("Completed updating config for user alice."), added);
            configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--alter",
                    "--add-config",
                    "SCRAM-SHA-512=[password=alice-secret]",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "alice");

            String described = configs(
                    "--bootstrap-server", bootstrap, "--describe", "--entity-type", "users", "--entity-name", "alice");
            assertTrue(
                    described.contains("SCRAM credential configs for user-principal 'alice' are "
                            + "SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096"),
                    described);

            try (Admin admin = admin(bootstrap)) {
                Map<String, UserScramCredentialsDescription> all =
                        admin.describeUserScramCredentials().all().get();
                assertEquals(
                        List.of(
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)),
                        all.get("alice").credentialInfos());
            }

            configs(
                    "--bootstrap-server",
                    bootstrap,
                    "--alter",
                    "--delete-config",
                    "SCRAM-SHA-256",
                    "--entity-type",
                    "users",
                    "--entity-name",
                    "alice");
            try (Admin admin = admin(bootstrap)) {
                assertEquals(
                        List.of(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)),
                        admin.describeUserScramCredentials()
                                .all()
                                .get()
                                .get("alice")
                                .credentialInfos());
            }
        }
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }
}
