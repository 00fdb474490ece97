package dev.skiff.broker.security.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import dev.skiff.protocol.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import dev.skiff.protocol.message.DescribeUserScramCredentialsRequestData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Kafka's rules for AlterUserScramCredentials and DescribeUserScramCredentials, without sockets. */
class ScramUserAdminTest {

    private final ScramUserAdmin admin = new ScramUserAdmin(ScramCredentialStore.inMemory(3));

    private static ScramCredentialUpsertion upsert(String name, int mechanism, int iterations) {
        ScramMechanism m = ScramMechanism.forType((byte) mechanism);
        byte[] salt = {1, 2, 3, 4};
        return new ScramCredentialUpsertion()
                .setName(name)
                .setMechanism((byte) mechanism)
                .setIterations(iterations)
                .setSalt(salt)
                .setSaltedPassword(
                        m == null
                                ? new byte[32]
                                : m.saltedPassword("pw-" + name, salt, Math.max(4096, Math.min(iterations, 16384))));
    }

    private static ScramCredentialDeletion delete(String name, int mechanism) {
        return new ScramCredentialDeletion().setName(name).setMechanism((byte) mechanism);
    }

    private Map<String, Short> alter(List<ScramCredentialDeletion> d, List<ScramCredentialUpsertion> u) {
        Map<String, Short> out = new TreeMap<>();
        for (AlterUserScramCredentialsResult r : admin.alter(new AlterUserScramCredentialsRequestData()
                        .setDeletions(new ArrayList<>(d))
                        .setUpsertions(new ArrayList<>(u)))
                .results()) out.put(r.user(), r.errorCode());
        return out;
    }

    @Test
    void upsertDescribeDelete() throws Exception {
        assertEquals(
                Map.of("alice", Errors.NONE.code(), "bob", Errors.NONE.code()),
                alter(List.of(), List.of(upsert("alice", 1, 8192), upsert("bob", 2, 4096))));
        assertEquals(Map.of("alice", Errors.NONE.code()), alter(List.of(), List.of(upsert("alice", 2, 4096))));
        DescribeUserScramCredentialsResponseData all = admin.describe(new DescribeUserScramCredentialsRequestData());
        assertEquals(2, all.results().size());
        DescribeUserScramCredentialsResult alice = all.results().get(0);
        assertEquals("alice", alice.user());
        assertEquals(2, alice.credentialInfos().size());
        assertEquals(8192, alice.credentialInfos().get(0).iterations());
        // the stored credential is the one the client's salted password gives
        ScramExchangeTest.run(
                new ScramExchange(ScramMechanism.SCRAM_SHA_256, admin.store(), 4096),
                ScramExchangeTest.kafkaClient(ScramMechanism.SCRAM_SHA_256, "alice", "pw-alice"));

        assertEquals(Map.of("alice", Errors.NONE.code()), alter(List.of(delete("alice", 1)), List.of()));
        assertNull(admin.store().get("alice", ScramMechanism.SCRAM_SHA_256));
        assertEquals(Map.of("alice", Errors.RESOURCE_NOT_FOUND.code()), alter(List.of(delete("alice", 1)), List.of()));
    }

    @Test
    void kafkasErrors() {
        alter(List.of(), List.of(upsert("twice", 1, 4096)));
        alter(List.of(), List.of(upsert("twice", 2, 4096), upsert("both", 1, 4096)));
        Map<String, Short> r = alter(
                List.of(delete("gone", 1), delete("twice", 1), delete("twice", 2), delete("both", 1)),
                List.of(
                        upsert("both", 1, 4096),
                        upsert("few", 1, 4095),
                        upsert("many", 1, 16385),
                        upsert("mech", 3, 4096),
                        upsert("zero", 0, 4096),
                        upsert("", 1, 4096),
                        upsert("nosalt", 1, 4096).setSalt(new byte[0]),
                        upsert("nosalted", 1, 4096).setSaltedPassword(new byte[0]),
                        upsert("up", 1, 4096),
                        upsert("up", 2, 4096),
                        upsert("ok", 1, 16384)));
        assertEquals(Errors.RESOURCE_NOT_FOUND.code(), r.get("gone"));
        assertEquals(Errors.DUPLICATE_RESOURCE.code(), r.get("twice"));
        assertEquals(Errors.DUPLICATE_RESOURCE.code(), r.get("both"));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get("few"));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get("many"));
        assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), r.get("mech"));
        assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), r.get("zero"));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get(""));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get("nosalt"));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get("nosalted"));
        assertEquals(Errors.DUPLICATE_RESOURCE.code(), r.get("up"));
        assertEquals(Errors.NONE.code(), r.get("ok"));
        assertEquals(
                List.of("both", "ok", "twice"),
                new ArrayList<>(admin.store().all().keySet()));
        assertEquals(2, admin.store().all().get("twice").size());
    }

    @Test
    void boundsOfSkiff() {
        assertEquals(
                Errors.UNACCEPTABLE_CREDENTIAL.code(),
                alter(List.of(), List.of(upsert("x".repeat(ScramUserAdmin.MAX_FIELD_BYTES + 1), 1, 4096)))
                        .values()
                        .iterator()
                        .next());
        assertEquals(
                Map.of("big", Errors.UNACCEPTABLE_CREDENTIAL.code()),
                alter(
                        List.of(),
                        List.of(upsert("big", 1, 4096).setSalt(new byte[ScramUserAdmin.MAX_FIELD_BYTES + 1]))));
        // at most 3 users: the fourth new one is refused, replacing an existing one still works
        Map<String, Short> r = alter(
                List.of(),
                List.of(upsert("a", 1, 4096), upsert("b", 1, 4096), upsert("c", 1, 4096), upsert("d", 1, 4096)));
        assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), r.get("d"));
        assertEquals(3, admin.store().all().size());
        assertEquals(Map.of("a", Errors.NONE.code()), alter(List.of(), List.of(upsert("a", 2, 4096))));
        // deleting one of a's two credentials keeps a; deleting the last one makes room in the same request
        assertEquals(
                Map.of("a", Errors.NONE.code(), "d", Errors.UNACCEPTABLE_CREDENTIAL.code()),
                alter(List.of(delete("a", 1)), List.of(upsert("d", 1, 4096))));
        assertTrue(admin.store().all().containsKey("a"));
        assertEquals(
                Map.of("a", Errors.NONE.code(), "d", Errors.NONE.code()),
                alter(List.of(delete("a", 2)), List.of(upsert("d", 2, 4096))));
    }

    @Test
    void describeNamesUnknownAndDuplicateUsers() {
        alter(List.of(), List.of(upsert("alice", 1, 4096)));
        DescribeUserScramCredentialsResponseData r = admin.describe(new DescribeUserScramCredentialsRequestData()
                .setUsers(new ArrayList<>(List.of(
                        new DescribeUserScramCredentialsRequestData.UserName().setName("alice"),
                        new DescribeUserScramCredentialsRequestData.UserName().setName("nobody"),
                        new DescribeUserScramCredentialsRequestData.UserName().setName("dup"),
                        new DescribeUserScramCredentialsRequestData.UserName().setName("dup")))));
        Map<String, Short> codes = new TreeMap<>();
        r.results().forEach(x -> codes.put(x.user(), x.errorCode()));
        assertEquals(
                Map.of(
                        "alice", Errors.NONE.code(),
                        "nobody", Errors.RESOURCE_NOT_FOUND.code(),
                        "dup", Errors.DUPLICATE_RESOURCE.code()),
                codes);
        assertEquals(
                "Attempt to describe a user credential that does not exist: nobody",
                r.results().get(1).errorMessage());
    }
}
