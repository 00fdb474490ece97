package dev.skiff.broker.security.sasl;

import dev.skiff.broker.durable.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCRAM users created at runtime (AlterUserScramCredentials), by user and mechanism. Only salt, iterations,
 * StoredKey and ServerKey are kept, never a password.
 *
 * <p>Durable mode keeps them in {@code <log.dirs>/.skiff/scram-credentials}: a change is written first (the whole
 * table to a temp file, fsync, atomic rename, fsync of the directory) and applied to memory only once written,
 * and a start reads the same file back, so what a client was told succeeded survives a crash. One line per
 * credential, each ending with the CRC32 of the line: a damaged line (a torn or edited file) is skipped with a
 * warning naming it, the others are kept; a leftover temp file is ignored. In-memory mode keeps the table in
 * memory only.
 */
public final class ScramCredentialStore implements ScramCredentialLookup {

    private static final Logger log = LoggerFactory.getLogger(ScramCredentialStore.class);
    private static final String HEADER = "# skiff scram credentials v1";

    /** One change to the table: a credential set (credential non-null) or removed (null). */
    public record Change(String user, ScramMechanism mechanism, ScramCredential credential) {}

    private final Path file;
    private final int maxUsers;
    private volatile Map<String, Map<ScramMechanism, ScramCredential>> users;

    private ScramCredentialStore(Path file, int maxUsers, Map<String, Map<ScramMechanism, ScramCredential>> users) {
        this.file = file;
        this.maxUsers = maxUsers;
        this.users = users;
    }

    public static ScramCredentialStore inMemory(int maxUsers) {
        return new ScramCredentialStore(null, maxUsers, Map.of());
    }

    /** The store kept in {@code file}, read back now. */
    public static ScramCredentialStore open(Path file, int maxUsers) {
        return new ScramCredentialStore(file, maxUsers, read(file));
    }

    /** The store of a broker: on disk under {@code <dataDir>/.skiff} when persistent, else in memory. */
    public static ScramCredentialStore forBroker(boolean persistent, Path dataDir, int maxUsers) {
        return persistent ? open(dataDir.resolve(".skiff").resolve("scram-credentials"), maxUsers) : inMemory(maxUsers);
    }

    @Override
    public ScramCredential get(String user, ScramMechanism mechanism) {
        Map<ScramMechanism, ScramCredential> m = users.get(user);
        return m == null ? null : m.get(mechanism);
    }

    /** Every user and their credentials, sorted by name. */
    public Map<String, Map<ScramMechanism, ScramCredential>> all() {
        return users;
    }

    /** How many users the store may hold (skiff.sasl.scram.users.max). */
    public int maxUsers() {
        return maxUsers;
    }

    /** True when the store is written to disk. */
    public boolean durable() {
        return file != null;
    }

    /**
     * Writes the changes, then applies them; nothing changes when the write fails. Callers validate first
     * (see {@link ScramUserAdmin}); one caller at a time.
     */
    public synchronized void apply(List<Change> changes) {
        if (changes.isEmpty()) return;
        Map<String, Map<ScramMechanism, ScramCredential>> next = new TreeMap<>();
        users.forEach((u, m) -> next.put(u, new EnumMap<>(m)));
        for (Change c : changes) {
            if (c.credential() == null) {
                Map<ScramMechanism, ScramCredential> m = next.get(c.user());
                if (m != null) {
                    m.remove(c.mechanism());
                    if (m.isEmpty()) next.remove(c.user());
                }
            } else {
                next.computeIfAbsent(c.user(), u -> new EnumMap<>(ScramMechanism.class))
                        .put(c.mechanism(), c.credential());
            }
        }
        Map<String, Map<ScramMechanism, ScramCredential>> frozen = new TreeMap<>();
        next.forEach((u, m) -> frozen.put(u, Collections.unmodifiableMap(m)));
        if (file != null) write(frozen);
        users = Collections.unmodifiableMap(frozen);
    }

    private void write(Map<String, Map<ScramMechanism, ScramCredential>> table) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        Base64.Encoder b64 = Base64.getEncoder();
        table.forEach((user, creds) -> creds.forEach((mech, c) -> {
            String line = Base64.getUrlEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8))
                    + ' '
                    + mech.mechanismName()
                    + ' '
                    + c.iterations()
                    + ' '
                    + b64.encodeToString(c.salt())
                    + ' '
                    + b64.encodeToString(c.storedKey())
                    + ' '
                    + b64.encodeToString(c.serverKey());
            sb.append(line).append(' ').append(crc(line)).append('\n');
        }));
        try {
            AtomicFiles.replace(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write SCRAM credentials to " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Map<ScramMechanism, ScramCredential>> read(Path file) {
        Map<String, Map<ScramMechanism, ScramCredential>> table = new TreeMap<>();
        if (!Files.exists(file)) return Map.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SCRAM credentials from " + file + ": " + e.getMessage(), e);
        }
        Base64.Decoder b64 = Base64.getDecoder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                int lastSpace = line.lastIndexOf(' ');
                String body = line.substring(0, lastSpace);
                if (!line.substring(lastSpace + 1).equals(crc(body))) throw new IllegalArgumentException("bad CRC");
                String[] f = body.split(" ");
                if (f.length != 6) throw new IllegalArgumentException("expected 6 fields, got " + f.length);
                String user = new String(Base64.getUrlDecoder().decode(f[0]), StandardCharsets.UTF_8);
                ScramMechanism mech = ScramMechanism.forName(f[1]);
                if (mech == null) throw new IllegalArgumentException("unknown mechanism " + f[1]);
                ScramCredential c = new ScramCredential(
                        b64.decode(f[3]), b64.decode(f[4]), b64.decode(f[5]), Integer.parseInt(f[2]));
                table.computeIfAbsent(user, u -> new EnumMap<>(ScramMechanism.class))
                        .put(mech, c);
            } catch (RuntimeException e) {
                log.warn("Skipping damaged line {} of {}: {}", i + 1, file, e.getMessage());
            }
        }
        Map<String, Map<ScramMechanism, ScramCredential>> frozen = new TreeMap<>();
        table.forEach((u, m) -> frozen.put(u, Collections.unmodifiableMap(m)));
        return Collections.unmodifiableMap(frozen);
    }

    private static String crc(String line) {
        CRC32 crc = new CRC32();
        crc.update(line.getBytes(StandardCharsets.ISO_8859_1));
        return Long.toHexString(crc.getValue());
    }
}
