package dev.skiff.broker.security.acl;

import static dev.skiff.broker.security.acl.AclOperation.ALL;
import static dev.skiff.broker.security.acl.AclOperation.ALTER_CONFIGS;
import static dev.skiff.broker.security.acl.AclOperation.DESCRIBE;
import static dev.skiff.broker.security.acl.AclOperation.DESCRIBE_CONFIGS;
import static dev.skiff.broker.security.acl.AclOperation.READ;
import static dev.skiff.broker.security.acl.AclOperation.WRITE;
import static dev.skiff.broker.security.acl.AclPermissionType.ALLOW;
import static dev.skiff.broker.security.acl.AclPermissionType.DENY;
import static dev.skiff.broker.security.acl.PatternType.LITERAL;
import static dev.skiff.broker.security.acl.PatternType.PREFIXED;
import static dev.skiff.broker.security.acl.ResourceType.GROUP;
import static dev.skiff.broker.security.acl.ResourceType.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's ACL model without sockets: patterns, deny wins, implications, super users, the no-ACL default. */
class AclAuthorizerTest {

    static final KafkaPrincipal ALICE = KafkaPrincipal.user("alice");
    static final KafkaPrincipal BOB = KafkaPrincipal.user("bob");
    static final String HOST = "10.0.0.1";

    @TempDir
    Path dir;

    static AclAuthorizer memory(Map<String, String> props) {
        return new AclAuthorizer(BrokerConfig.of(props), null);
    }

    static AclBinding acl(
            ResourceType t, String name, PatternType p, String who, AclOperation op, AclPermissionType perm) {
        return new AclBinding(t, name, p, who, "*", op, perm);
    }

    static void add(AclAuthorizer a, AclBinding... bindings) {
        for (ApiException e : a.createAcls(List.of(bindings))) assertNull(e);
    }

    @Test
    void literalWildcardAndPrefixedPatternsCoverTheirNames() {
        AclAuthorizer a = memory(Map.of());
        add(a, acl(TOPIC, "orders", LITERAL, "User:alice", READ, ALLOW));
        add(a, acl(TOPIC, "pay-", PREFIXED, "User:alice", WRITE, ALLOW));
        add(a, acl(GROUP, "*", LITERAL, "User:alice", READ, ALLOW));
        assertTrue(a.authorize(ALICE, HOST, READ, TOPIC, "orders"));
        assertFalse(a.authorize(ALICE, HOST, READ, TOPIC, "orders2"));
        assertTrue(a.authorize(ALICE, HOST, WRITE, TOPIC, "pay-eu"));
        assertFalse(a.authorize(ALICE, HOST, WRITE, TOPIC, "pa"));
        assertTrue(a.authorize(ALICE, HOST, READ, GROUP, "any-group"));
        assertFalse(a.authorize(BOB, HOST, READ, GROUP, "any-group"));
        assertFalse(a.authorize(ALICE, HOST, WRITE, TOPIC, "orders"));
    }

    @Test
    void denyWinsOverAllowAndWildcardPrincipalsApply() {
        AclAuthorizer a = memory(Map.of());
        add(a, acl(TOPIC, "*", LITERAL, "User:*", ALL, ALLOW));
        add(a, acl(TOPIC, "secret", PREFIXED, "User:bob", READ, DENY));
        assertTrue(a.authorize(BOB, HOST, READ, TOPIC, "public"));
        assertFalse(a.authorize(BOB, HOST, READ, TOPIC, "secret-1"));
        // a DENY of READ does not deny DESCRIBE (only ALLOW implies)
        assertTrue(a.authorize(BOB, HOST, DESCRIBE, TOPIC, "secret-1"));
        assertTrue(a.authorize(ALICE, HOST, READ, TOPIC, "secret-1"));
    }

    @Test
    void hostsAreExactOrWildcard() {
        AclAuthorizer a = memory(Map.of());
        add(a, new AclBinding(TOPIC, "t", LITERAL, "User:alice", "10.0.0.1", READ, ALLOW));
        assertTrue(a.authorize(ALICE, "10.0.0.1", READ, TOPIC, "t"));
        assertFalse(a.authorize(ALICE, "10.0.0.2", READ, TOPIC, "t"));
    }

    @Test
    void allowImpliesDescribeAndDescribeConfigs() {
        AclAuthorizer a = memory(Map.of());
        add(a, acl(TOPIC, "w", LITERAL, "User:alice", WRITE, ALLOW));
        add(a, acl(TOPIC, "c", LITERAL, "User:alice", ALTER_CONFIGS, ALLOW));
        assertTrue(a.authorize(ALICE, HOST, DESCRIBE, TOPIC, "w"));
        assertFalse(a.authorize(ALICE, HOST, READ, TOPIC, "w"));
        assertTrue(a.authorize(ALICE, HOST, DESCRIBE_CONFIGS, TOPIC, "c"));
        assertFalse(a.authorize(ALICE, HOST, DESCRIBE, TOPIC, "c"));
    }

    @Test
    void superUsersMayDoAnythingAndNoAclDefaultIsConfigurable() {
        AclAuthorizer strict = memory(Map.of("super.users", "User:admin;User:root"));
        assertTrue(strict.authorize(KafkaPrincipal.user("root"), HOST, ALL, TOPIC, "x"));
        assertFalse(strict.authorize(ALICE, HOST, READ, TOPIC, "x"));
        AclAuthorizer open = memory(Map.of("allow.everyone.if.no.acl.found", "true"));
        assertTrue(open.authorize(ALICE, HOST, READ, TOPIC, "x"));
        add(open, acl(TOPIC, "x", LITERAL, "User:bob", READ, ALLOW));
        // once a resource has ACLs, only they decide
        assertFalse(open.authorize(ALICE, HOST, READ, TOPIC, "x"));
        assertTrue(open.authorize(ALICE, HOST, READ, TOPIC, "y"));
    }

    @Test
    void byResourceTypeFindsAnyAllowedResourceUnlessDeniedForAll() {
        AclAuthorizer a = memory(Map.of());
        assertFalse(a.authorizeByResourceType(ALICE, HOST, WRITE, TOPIC));
        add(a, acl(TOPIC, "t", LITERAL, "User:alice", WRITE, ALLOW));
        assertTrue(a.authorizeByResourceType(ALICE, HOST, WRITE, TOPIC));
        add(a, acl(TOPIC, "*", LITERAL, "User:alice", WRITE, DENY));
        assertFalse(a.authorizeByResourceType(ALICE, HOST, WRITE, TOPIC));
    }

    @Test
    void invalidBindingsAreRefusedAndCapsHold() {
        AclAuthorizer a = memory(Map.of("skiff.acls.max", "2", "skiff.acl.max.bytes", "64"));
        List<ApiException> r = a.createAcls(List.of(
                acl(ResourceType.ANY, "t", LITERAL, "User:a", READ, ALLOW),
                acl(TOPIC, "t", PatternType.MATCH, "User:a", READ, ALLOW),
                acl(TOPIC, "t", LITERAL, "alice", READ, ALLOW),
                acl(TOPIC, "", LITERAL, "User:a", READ, ALLOW),
                acl(ResourceType.CLUSTER, "c", LITERAL, "User:a", READ, ALLOW),
                acl(TOPIC, "t", LITERAL, "User:a", AclOperation.ANY, ALLOW),
                acl(TOPIC, "x".repeat(100), LITERAL, "User:a", READ, ALLOW)));
        for (ApiException e : r) assertEquals(Errors.INVALID_REQUEST, e.error());
        r = a.createAcls(List.of(
                acl(TOPIC, "a", LITERAL, "User:a", READ, ALLOW),
                acl(TOPIC, "a", LITERAL, "User:a", READ, ALLOW),
                acl(TOPIC, "b", LITERAL, "User:a", READ, ALLOW),
                acl(TOPIC, "c", LITERAL, "User:a", READ, ALLOW)));
        assertNull(r.get(0));
        assertNull(r.get(1));
        assertNull(r.get(2));
        assertEquals(Errors.POLICY_VIOLATION, r.get(3).error());
        assertEquals(2, a.size());
    }

    @Test
    void filtersMatchAsKafkasDo() {
        AclAuthorizer a = memory(Map.of());
        add(
                a,
                acl(TOPIC, "orders", LITERAL, "User:alice", READ, ALLOW),
                acl(TOPIC, "*", LITERAL, "User:bob", READ, ALLOW),
                acl(TOPIC, "ord", PREFIXED, "User:bob", WRITE, ALLOW),
                acl(GROUP, "orders", LITERAL, "User:alice", READ, ALLOW));
        assertEquals(4, a.describeAcls(AclBindingFilter.ANY).size());
        AclBindingFilter match = new AclBindingFilter(
                TOPIC, "orders", PatternType.MATCH, null, null, AclOperation.ANY, AclPermissionType.ANY);
        assertEquals(3, a.describeAcls(match).size());
        AclBindingFilter any = new AclBindingFilter(
                ResourceType.ANY, "orders", PatternType.ANY, null, null, AclOperation.ANY, AclPermissionType.ANY);
        assertEquals(2, a.describeAcls(any).size());
        AclBindingFilter prefixed =
                new AclBindingFilter(TOPIC, null, PREFIXED, "User:bob", null, AclOperation.ANY, AclPermissionType.ANY);
        assertEquals(1, a.describeAcls(prefixed).size());
        List<List<AclBinding>> removed = a.deleteAcls(List.of(match, AclBindingFilter.ANY));
        assertEquals(3, removed.get(0).size());
        assertEquals(4, removed.get(1).size());
        assertEquals(0, a.size());
    }

    @Test
    void journalReplaysAddsAndRemovesAndCutsADamagedTail() throws Exception {
        Path file = AclAuthorizer.journalPath(dir);
        BrokerConfig config = BrokerConfig.of(Map.of());
        AclBinding kept = acl(TOPIC, "kept", LITERAL, "User:alice", READ, ALLOW);
        AclBinding gone = acl(TOPIC, "gone", LITERAL, "User:alice", READ, ALLOW);
        try (AclAuthorizer a = new AclAuthorizer(config, file)) {
            add(a, kept, gone);
            a.deleteAcls(List.of(
                    new AclBindingFilter(TOPIC, "gone", LITERAL, null, null, AclOperation.ANY, AclPermissionType.ANY)));
        }
        Files.write(file, new byte[] {0, 0, 0, 40, 1, 2}, java.nio.file.StandardOpenOption.APPEND);
        try (AclAuthorizer a = new AclAuthorizer(config, file)) {
            assertEquals(List.of(kept), a.describeAcls(AclBindingFilter.ANY));
            add(a, gone);
        }
        try (AclAuthorizer a = new AclAuthorizer(config, file)) {
            assertEquals(List.of(kept, gone), a.describeAcls(AclBindingFilter.ANY));
        }
    }

    @Test
    void withoutAuthorizerClassEverythingIsAllowed() {
        assertSame(Authorizer.ALLOW_ALL, AclAuthorizer.fromConfig(BrokerConfig.defaults(), false));
        assertTrue(AclAuthorizer.fromConfig(
                        BrokerConfig.of(Map.of(
                                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")),
                        false)
                .enabled());
    }
}
