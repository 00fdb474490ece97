package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stock kafka-acls tool (kafka-tools 4.1.1's AclCommand) adds, lists and removes ACLs on Skiff. */
@Timeout(300)
class AclToolTest {

    static final String ACLS = "org.apache.kafka.tools.AclCommand";

    @TempDir
    Path dir;

    @Test
    void addListRemove() throws Exception {
        try (EmbeddedSkiff broker =
                EmbeddedSkiff.builder().inMemory().superUser("admin").start()) {
            // the tool acts as the super user through the client-id test aid
            Path config = Files.writeString(dir.resolve("admin.properties"), "client.id=user:admin\n");
            String b = broker.bootstrapServers();
            String c = config.toString();
            KafkaTool.ok(
                    ACLS,
                    null,
                    "--bootstrap-server",
                    b,
                    "--command-config",
                    c,
                    "--add",
                    "--allow-principal",
                    "User:alice",
                    "--operation",
                    "Read",
                    "--topic",
                    "orders",
                    "--group",
                    "readers");
            String listed = KafkaTool.ok(
                    ACLS, null, "--bootstrap-server", b, "--command-config", c, "--list", "--topic", "orders");
            assertTrue(listed.contains("User:alice") && listed.contains("READ"), listed);
            KafkaTool.ok(
                    ACLS,
                    null,
                    "--bootstrap-server",
                    b,
                    "--command-config",
                    c,
                    "--remove",
                    "--force",
                    "--allow-principal",
                    "User:alice",
                    "--operation",
                    "Read",
                    "--topic",
                    "orders");
            String after = KafkaTool.ok(ACLS, null, "--bootstrap-server", b, "--command-config", c, "--list");
            assertFalse(after.contains("topic, name=orders"), after);
            assertTrue(after.contains("name=readers"), after);
        }
    }
}
