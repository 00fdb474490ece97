package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import dev.skiff.protocol.message.AlterUserScramCredentialsResponseData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsRequestData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData;
import dev.skiff.server.EmbeddedSkiff;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AlterUserScramCredentials and DescribeUserScramCredentials from a hostile client over a raw socket: huge names,
 * salts and salted passwords, iterations at the ends of int, unknown mechanisms, the same user a thousand times,
 * more users than {@code skiff.sasl.scram.users.max}. Each is answered with Kafka's error for it, nothing
 * refused is stored, the store stays within its cap, and the broker serves and restarts with the users it accepted.
 */
class ScramUsersHostileTest {

    private static final int MAX_USERS = 1500;

    @TempDir
    Path dir;

    private static ByteBuf call(Socket s, ApiKeys api, ApiMessage body) throws IOException {
        return RequestFrames.exchangeV0(s, api, 11, body);
    }

    private static Map<String, Short> alter(Socket s, List<ScramCredentialUpsertion> upsertions) throws IOException {
        AlterUserScramCredentialsResponseData r = new AlterUserScramCredentialsResponseData(
                call(
                        s,
                        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                        new AlterUserScramCredentialsRequestData().setUpsertions(new ArrayList<>(upsertions))),
                (short) 0);
        Map<String, Short> out = new TreeMap<>();
        r.results().forEach(x -> out.put(x.user(), x.errorCode()));
        return out;
    }

    private static ScramCredentialUpsertion upsert(String name) {
        return new ScramCredentialUpsertion()
                .setName(name)
                .setMechanism((byte) 1)
                .setIterations(4096)
                .setSalt(new byte[] {1, 2, 3})
                .setSaltedPassword(new byte[32]);
    }

    private static DescribeUserScramCredentialsResponseData describeAll(Socket s) throws IOException {
        return new DescribeUserScramCredentialsResponseData(
                call(
                        s,
                        ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                        new DescribeUserScramCredentialsRequestData().setUsers(null)),
                (short) 0);
    }

    private static Socket connect(EmbeddedSkiff broker) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port());
        s.setSoTimeout(60_000);
        return s;
    }

    @Test
    void hostileCredentialsAreRefusedAndTheStoreStaysBounded() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .dataDir(dir)
                .property("skiff.sasl.scram.users.max", String.valueOf(MAX_USERS))
                .start()) {
            Survival survival = Survival.before(broker);
            try (Socket s = connect(broker)) {
                short unacceptable = Errors.UNACCEPTABLE_CREDENTIAL.code();
                assertEquals(Map.of("n".repeat(200_000), unacceptable), alter(s, List.of(upsert("n".repeat(200_000)))));
                assertEquals(
                        Map.of("salt", unacceptable),
                        alter(s, List.of(upsert("salt").setSalt(new byte[4 << 20]))));
                assertEquals(
                        Map.of("salted", unacceptable),
                        alter(s, List.of(upsert("salted").setSaltedPassword(new byte[4 << 20]))));
                assertEquals(
                        Map.of("max", unacceptable, "min", unacceptable, "neg", unacceptable),
                        alter(
                                s,
                                List.of(
                                        upsert("max").setIterations(Integer.MAX_VALUE),
                                        upsert("min").setIterations(Integer.MIN_VALUE),
                                        upsert("neg").setIterations(-4096))));
                assertEquals(
                        Map.of(
                                "m1",
                                Errors.UNSUPPORTED_SASL_MECHANISM.code(),
                                "m2",
                                Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                        alter(
                                s,
                                List.of(
                                        upsert("m1").setMechanism((byte) -1),
                                        upsert("m2").setMechanism((byte) 127))));
                List<ScramCredentialUpsertion> same = new ArrayList<>();
                for (int i = 0; i < 1000; i++) same.add(upsert("same"));
                assertEquals(Map.of("same", Errors.DUPLICATE_RESOURCE.code()), alter(s, same));
                assertEquals(0, describeAll(s).results().size(), "nothing refused is stored");

                // more users than the cap in one request: the first MAX_USERS are kept, the rest refused
                List<ScramCredentialUpsertion> many = new ArrayList<>();
                for (int i = 0; i < MAX_USERS + 500; i++) many.add(upsert(String.format("user-%05d", i)));
                Map<String, Short> results = alter(s, many);
                assertEquals(MAX_USERS + 500, results.size());
                assertEquals(
                        MAX_USERS, results.values().stream().filter(c -> c == 0).count());
                assertEquals(Errors.UNACCEPTABLE_CREDENTIAL.code(), results.get(String.format("user-%05d", MAX_USERS)));
                assertEquals(Map.of("one-more", unacceptable), alter(s, List.of(upsert("one-more"))), "the cap holds");

                // describing thousands of unknown names answers each, without creating anything
                List<DescribeUserScramCredentialsRequestData.UserName> names = new ArrayList<>();
                for (int i = 0; i < 5000; i++)
                    names.add(new DescribeUserScramCredentialsRequestData.UserName().setName("ghost-" + i));
                DescribeUserScramCredentialsResponseData ghosts = new DescribeUserScramCredentialsResponseData(
                        call(
                                s,
                                ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                                new DescribeUserScramCredentialsRequestData().setUsers(names)),
                        (short) 0);
                assertEquals(5000, ghosts.results().size());
                assertTrue(ghosts.results().stream().allMatch(r -> r.errorCode() == Errors.RESOURCE_NOT_FOUND.code()));
            }
            long fileSize = Files.size(dir.resolve(".skiff").resolve("scram-credentials"));
            assertTrue(fileSize < 1 << 20, "the users file stays small: " + fileSize);

            survival.assertServedAndRestartsIntact();
            try (Socket s = connect(broker)) {
                assertEquals(MAX_USERS, describeAll(s).results().size(), "the accepted users survive the restart");
            }
        }
    }
}
