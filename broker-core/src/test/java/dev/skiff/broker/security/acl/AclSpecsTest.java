package dev.skiff.broker.security.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-line ACL form of {@code @Skiff(acls = ...)}: what each part means and what is refused. */
class AclSpecsTest {

    @Test
    void aLiteralTopicAclFromAnyHost() {
        assertEquals(
                List.of(new AclBinding(
                        ResourceType.TOPIC,
                        "orders",
                        PatternType.LITERAL,
                        "User:alice",
                        "*",
                        AclOperation.READ,
                        AclPermissionType.ALLOW)),
                AclSpecs.parse("User:alice ALLOW READ TOPIC:orders"));
    }

    @Test
    void severalOperationsPrefixesHostsAndBarePrincipals() {
        List<AclBinding> acls = AclSpecs.parse("  bob allow Alter,describe-configs,IdempotentWrite CLUSTER ");
        assertEquals(3, acls.size());
        assertEquals(
                List.of(AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.IDEMPOTENT_WRITE),
                acls.stream().map(AclBinding::operation).toList());
        assertTrue(acls.stream()
                .allMatch(a -> a.principal().equals("User:bob")
                        && a.name().equals(ResourceType.CLUSTER_NAME)
                        && a.type() == ResourceType.CLUSTER));

        AclBinding prefixed = AclSpecs.parse("User:bob DENY WRITE TOPIC:orders- PREFIXED HOST:10.0.0.7")
                .get(0);
        assertEquals(PatternType.PREFIXED, prefixed.pattern());
        assertEquals("orders-", prefixed.name());
        assertEquals("10.0.0.7", prefixed.host());
        assertEquals(AclPermissionType.DENY, prefixed.permission());

        AclBinding everyone =
                AclSpecs.parse("* ALLOW DESCRIBE TransactionalId:*").get(0);
        assertEquals("User:*", everyone.principal());
        assertEquals(ResourceType.TRANSACTIONAL_ID, everyone.type());
        assertEquals("*", everyone.name());

        AclBinding group = AclSpecs.parse("User:CN=svc,O=acme ALLOW READ GROUP:team:billing")
                .get(0);
        assertEquals("User:CN=svc,O=acme", group.principal());
        assertEquals("team:billing", group.name(), "only the first colon separates type and name");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "User:alice ALLOW READ",
                "User:alice PERMIT READ TOPIC:orders",
                "User:alice ALLOW FLY TOPIC:orders",
                "User:alice ALLOW READ TABLE:orders",
                "User:alice ALLOW READ TOPIC",
                "User:alice ALLOW READ TOPIC:",
                "User:alice ALLOW READ TOPIC:* PREFIXED",
                "User:alice ALLOW READ TOPIC:orders SOMETIMES",
                "User:alice ALLOW IDEMPOTENT_WRITE TOPIC:orders",
                "User:alice ALLOW READ, TOPIC:orders",
                ":alice ALLOW READ TOPIC:orders",
                "User:alice ALLOW READ TOPIC:orders PREFIXED HOST:h extra"
            })
    void malformedLinesSayWhatIsWrong(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AclSpecs.parse(spec));
        assertTrue(e.getMessage().startsWith("ACL \""), e.getMessage());
    }
}
