package dev.skiff.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CreateAcls, DescribeAcls and DeleteAcls through kafka-clients 4.1.1's Admin, kept across a restart. */
@Timeout(120)
class AclAdminApiTest {

    @TempDir
    Path dir;

    static Admin admin(EmbeddedSkiff broker, String user) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "user:" + user);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    static AclBinding allow(ResourceType type, String name, PatternType pattern, String who, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(who, "*", op, AclPermissionType.ALLOW));
    }

    static Throwable cause(org.apache.kafka.common.KafkaFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void createDescribeDeleteAndKeepAcrossRestart() throws Exception {
        AclBinding read = allow(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:alice", AclOperation.READ);
        AclBinding write = allow(ResourceType.TOPIC, "pay-", PatternType.PREFIXED, "User:bob", AclOperation.WRITE);
        AclBinding group = allow(ResourceType.GROUP, "*", PatternType.LITERAL, "User:alice", AclOperation.READ);
        try (EmbeddedSkiff broker =
                EmbeddedSkiff.builder().dataDir(dir).superUser("admin").start()) {
            try (Admin admin = admin(broker, "admin")) {
                admin.createAcls(List.of(read, write, group)).all().get(30, TimeUnit.SECONDS);
                Collection<AclBinding> all =
                        admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(read, write, group), Set.copyOf(all));
                // MATCH: every ACL that applies to the topic pay-eu
                AclBindingFilter match = new AclBindingFilter(
                        new ResourcePatternFilter(ResourceType.TOPIC, "pay-eu", PatternType.MATCH),
                        AccessControlEntryFilter.ANY);
                assertEquals(
                        Set.of(write),
                        Set.copyOf(admin.describeAcls(match).values().get(30, TimeUnit.SECONDS)));
                Collection<AclBinding> deleted = admin.deleteAcls(List.of(new AclBindingFilter(
                                new ResourcePatternFilter(ResourceType.GROUP, null, PatternType.ANY),
                                AccessControlEntryFilter.ANY)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                assertEquals(Set.of(group), Set.copyOf(deleted));
                // an ACL Kafka would refuse: a CLUSTER resource not named kafka-cluster
                Throwable bad = cause(admin.createAcls(List.of(allow(
                                ResourceType.CLUSTER, "other", PatternType.LITERAL, "User:x", AclOperation.ALTER)))
                        .all());
                assertInstanceOf(InvalidRequestException.class, bad);
            }
            try (Admin alice = admin(broker, "alice")) {
                assertInstanceOf(
                        ClusterAuthorizationException.class,
                        cause(alice.describeAcls(AclBindingFilter.ANY).values()));
                assertInstanceOf(
                        ClusterAuthorizationException.class,
                        cause(alice.createAcls(List.of(group)).all()));
            }
            broker.restart();
            try (Admin admin = admin(broker, "admin")) {
                assertEquals(
                        Set.of(read, write),
                        Set.copyOf(admin.describeAcls(AclBindingFilter.ANY)
                                .values()
                                .get(30, TimeUnit.SECONDS)));
            }
        }
    }

    @Test
    void withoutAnAuthorizerTheAclApisAnswerSecurityDisabled() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().inMemory().start();
                Admin admin = admin(broker, "anyone")) {
            assertInstanceOf(
                    SecurityDisabledException.class,
                    cause(admin.describeAcls(AclBindingFilter.ANY).values()));
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).isEmpty());
        }
    }
}
