package dev.skiff.broker.security.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SCRAM users file: written before applied, read back at start, damage contained to its lines. */
class ScramCredentialStoreTest {

    @TempDir
    Path dir;

    private static final ScramMechanism SHA256 = ScramMechanism.SCRAM_SHA_256;
    private static final ScramMechanism SHA512 = ScramMechanism.SCRAM_SHA_512;

    private static ScramCredentialStore.Change set(String user, ScramMechanism m, String password) {
        return new ScramCredentialStore.Change(user, m, m.credential(password, new byte[] {7, 7, 7}, 4096));
    }

    @Test
    void credentialsSurviveARestartAndHoldNoPassword() throws Exception {
        Path file = dir.resolve(".skiff").resolve("scram-credentials");
        ScramCredentialStore store = ScramCredentialStore.open(file, 100);
        store.apply(List.of(
                set("alice", SHA256, "alice-secret"),
                set("alice", SHA512, "alice-secret"),
                set("bob b,=\u00e9", SHA256, "pw")));
        store.apply(List.of(new ScramCredentialStore.Change("alice", SHA512, null)));

        ScramCredentialStore reopened = ScramCredentialStore.open(file, 100);
        assertEquals(store.all(), reopened.all());
        assertEquals(Set.of("alice", "bob b,=\u00e9"), reopened.all().keySet());
        assertEquals(store.get("alice", SHA256), reopened.get("alice", SHA256));
        assertNull(reopened.get("alice", SHA512));
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("secret"));
        assertTrue(reopened.durable());
    }

    @Test
    void aTornLineIsSkippedAndTheOthersKept() throws Exception {
        Path file = dir.resolve("scram-credentials");
        ScramCredentialStore store = ScramCredentialStore.open(file, 100);
        store.apply(List.of(set("alice", SHA256, "a"), set("bob", SHA256, "b"), set("carol", SHA256, "c")));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10)); // carol's line torn
        ScramCredentialStore reopened = ScramCredentialStore.open(file, 100);
        assertEquals(Set.of("alice", "bob"), reopened.all().keySet());

        // an edited line fails its CRC
        String text = Files.readString(file, StandardCharsets.ISO_8859_1).replace(" 4096 ", " 4097 ");
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        assertTrue(ScramCredentialStore.open(file, 100).all().isEmpty());
    }

    @Test
    void aLeftoverTempFileIsIgnored() throws Exception {
        Path file = dir.resolve("scram-credentials");
        ScramCredentialStore.open(file, 100).apply(List.of(set("alice", SHA256, "a")));
        Files.writeString(dir.resolve("scram-credentials.tmp"), "half a fi");
        assertEquals(Set.of("alice"), ScramCredentialStore.open(file, 100).all().keySet());
    }

    @Test
    void aFailedWriteChangesNothing() throws Exception {
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        ScramCredentialStore store = ScramCredentialStore.open(blocker.resolve("scram-credentials"), 100);
        assertThrows(UncheckedIOException.class, () -> store.apply(List.of(set("alice", SHA256, "a"))));
        assertTrue(store.all().isEmpty());
    }

    @Test
    void inMemoryStoreWritesNothing() throws Exception {
        ScramCredentialStore store = ScramCredentialStore.inMemory(100);
        store.apply(List.of(set("alice", SHA256, "a")));
        assertEquals(Set.of("alice"), store.all().keySet());
        assertFalse(store.durable());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
