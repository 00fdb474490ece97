package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM users over a real socket with kafka-clients' Admin: alterUserScramCredentials and
 * describeUserScramCredentials with Kafka's errors, kept across a restart, and describeClientQuotas answering none.
 */
class ScramUsersAdminTest {

    @TempDir
    Path dir;

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    private static Throwable cause(Runnable r) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> {
            try {
                r.run();
            } catch (RuntimeException x) {
                if (x.getCause() instanceof ExecutionException ee) throw ee;
                throw x;
            }
        });
        return e.getCause();
    }

    @Test
    void alterDescribeDeleteAndRestart() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().dataDir(dir).start()) {
            try (Admin admin = admin(skiff.bootstrapServers())) {
                // both mechanisms of one user in one request: Kafka's controller refuses the user as altered twice
                Throwable twice = cause(() -> get(admin.alterUserScramCredentials(List.of(
                                new UserScramCredentialUpsertion(
                                        "alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "x"),
                                new UserScramCredentialUpsertion(
                                        "alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "x")))
                        .all()));
                assertInstanceOf(DuplicateResourceException.class, twice);
                assertTrue(admin.describeUserScramCredentials().all().get().isEmpty());
            }
            try (Admin admin = admin(skiff.bootstrapServers())) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                "alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "alice-secret")))
                        .all()
                        .get();
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                "alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "alice-secret")))
                        .all()
                        .get();
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                "bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 16384), "bob-secret")))
                        .all()
                        .get();
                Map<String, UserScramCredentialsDescription> all =
                        admin.describeUserScramCredentials().all().get();
                assertEquals(2, all.size());
                assertEquals(
                        List.of(
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096)),
                        all.get("alice").credentialInfos());

                Throwable few =
                        cause(() -> get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                        "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4095), "pw")))
                                .all()));
                assertInstanceOf(UnacceptableCredentialException.class, few);
                Throwable many =
                        cause(() -> get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                        "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 16385), "pw")))
                                .all()));
                assertInstanceOf(UnacceptableCredentialException.class, many);
                Throwable missing = cause(() -> get(admin.alterUserScramCredentials(
                                List.of(new UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_256)))
                        .all()));
                assertInstanceOf(ResourceNotFoundException.class, missing);
                Throwable unknown = cause(() ->
                        get(admin.describeUserScramCredentials(List.of("carol")).description("carol")));
                assertInstanceOf(ResourceNotFoundException.class, unknown);

                admin.alterUserScramCredentials(
                                List.of(new UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_512)))
                        .all()
                        .get();
                assertEquals(
                        0,
                        admin.describeClientQuotas(ClientQuotaFilter.all())
                                .entities()
                                .get()
                                .size());
            }
            assertTrue(Files.exists(dir.resolve(".skiff").resolve("scram-credentials")));
            skiff.restart();
            try (Admin admin = admin(skiff.bootstrapServers())) {
                Map<String, UserScramCredentialsDescription> all =
                        admin.describeUserScramCredentials().all().get();
                assertEquals(List.of("alice"), List.copyOf(all.keySet()));
                assertEquals(2, all.get("alice").credentialInfos().size());
            }
        }
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new RuntimeException(e);
        }
    }
}
