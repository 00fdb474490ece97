package dev.skiff.broker.admin;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature levels the broker finalizes (KIP-584), which ApiVersions v3+ advertises and UpdateFeatures changes
 * ({@code kafka-features upgrade/downgrade/disable}, Admin.updateFeatures), with the epoch of the last change.
 *
 * <p>Supported: {@code transaction.version} 0-2, {@code group.version} 0-1 and {@code share.version} 0-1, as
 * Kafka 4.1 supports them. A new broker finalizes transaction.version at its {@code transaction.version} property
 * (2 by default, Kafka 4.x's level for a new cluster) and group.version and share.version at 1.
 * transaction.version may be set to any level it supports: below 2, kafka-clients 4.x producers use transactions
 * V1 for the transactions they start (EndTxn v4, AddPartitionsToTxn), which Skiff serves as Kafka does. Skiff
 * always serves KIP-848 consumer groups and KIP-932 share groups, so it refuses to finalize group.version or
 * share.version at any level but 1 (INVALID_UPDATE_VERSION), rather than advertise a level it does not follow.
 *
 * <p>An update is checked as Kafka's controller checks it (FeatureControlManager), one feature after another,
 * and the first error fails the whole request with INVALID_UPDATE_VERSION: an unknown upgrade type, a level
 * below 0, a feature or level not supported, a downgrade whose upgrade type is UPGRADE. Then, unless
 * {@code validateOnly}, all the levels are written and applied together: a persistent broker writes the whole
 * table to {@code <log.dirs>/.skiff/finalized-features} (temp file, fsync, atomic rename) before it changes
 * what ApiVersions answers, and reads it back at start, when it overrides the {@code transaction.version}
 * property. A file that does not read back (damaged line or checksum) is ignored with a warning.
 */
public final class FinalizedFeatures {

    private static final Logger log = LoggerFactory.getLogger(FinalizedFeatures.class);
    private static final String HEADER = "# skiff finalized features v1";

    public static final String TRANSACTION_VERSION = "transaction.version";
    public static final String GROUP_VERSION = "group.version";
    public static final String SHARE_VERSION = "share.version";

    /** A feature and the levels this broker supports. */
    public record Supported(String name, short min, short max) {}

    /** What Skiff supports, in the order ApiVersions lists them. */
    public static final List<Supported> SUPPORTED = List.of(
            new Supported(TRANSACTION_VERSION, (short) 0, (short) 2),
            new Supported(GROUP_VERSION, (short) 0, (short) 1),
            new Supported(SHARE_VERSION, (short) 0, (short) 1));

    /** Kafka's upgrade types (UpdateFeatures v1+; v0's allow_downgrade maps to SAFE_DOWNGRADE). */
    public static final byte UPGRADE = 1, SAFE_DOWNGRADE = 2, UNSAFE_DOWNGRADE = 3;

    /** One requested change: the new level (0: disabled) and the upgrade type. */
    public record Update(short level, byte upgradeType) {}

    /** The finalized levels (features at level 0 are left out, as Kafka lists them) and their epoch. */
    public record Levels(Map<String, Short> levels, long epoch) {
        public short level(String feature) {
            return levels.getOrDefault(feature, (short) 0);
        }
    }

    private final Path file;
    private volatile Levels current;

    private FinalizedFeatures(Path file, Levels current) {
        this.file = file;
        this.current = current;
    }

    /** The levels a broker starts with: its file when it has one, else its properties. */
    public static FinalizedFeatures forBroker(boolean persistent, Path dataDir, BrokerConfig config) {
        Path file = persistent ? dataDir.resolve(".skiff").resolve("finalized-features") : null;
        Levels stored = file == null ? null : read(file);
        return new FinalizedFeatures(file, stored != null ? stored : initial(config));
    }

    /** As a new cluster is formatted: transaction.version from the property (default 2), the others at 1. */
    public static Levels initial(BrokerConfig config) {
        Map<String, Short> levels = new LinkedHashMap<>();
        short tv = transactionVersion(config);
        if (tv > 0) levels.put(TRANSACTION_VERSION, tv);
        levels.put(GROUP_VERSION, (short) 1);
        levels.put(SHARE_VERSION, (short) 1);
        return new Levels(Collections.unmodifiableMap(levels), 1);
    }

    private static short transactionVersion(BrokerConfig config) {
        String v = config.get(TRANSACTION_VERSION);
        if (v == null || v.isBlank()) return 2;
        try {
            short level = Short.parseShort(v.trim());
            if (level >= 0 && level <= 2) return level;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException("transaction.version must be 0, 1 or 2, got " + v);
    }

    public Levels current() {
        return current;
    }

    /**
     * UpdateFeatures: checks every update (see the class comment), then, unless {@code validateOnly}, writes
     * and applies them all. Fails with INVALID_UPDATE_VERSION and Kafka's message, or KAFKA_STORAGE_ERROR when
     * the file cannot be written (nothing changes then).
     */
    public synchronized void update(Map<String, Update> updates, boolean validateOnly) {
        Levels now = current;
        Map<String, Short> next = new LinkedHashMap<>(now.levels());
        for (Map.Entry<String, Update> e : updates.entrySet()) {
            String feature = e.getKey();
            short level = e.getValue().level();
            byte type = e.getValue().upgradeType();
            if (type != UPGRADE && type != SAFE_DOWNGRADE && type != UNSAFE_DOWNGRADE)
                throw invalid(feature, level, "The controller does not support the given upgrade type.");
            if (level < 0) throw invalid(feature, level, "A feature version cannot be less than 0.");
            Supported supported = supported(feature);
            if (supported == null) {
                throw invalid(feature, level, "Local controller does not support this feature.");
            } else if (level < supported.min() || level > supported.max()) {
                throw invalid(
                        feature,
                        level,
                        "Local controller only supports versions [" + supported.min() + "-" + supported.max() + "]");
            }
            if (level < now.level(feature) && type == UPGRADE)
                throw invalid(
                        feature,
                        level,
                        "Can't downgrade the version of this feature without setting the upgrade type to either safe"
                                + " or unsafe downgrade.");
            if ((feature.equals(GROUP_VERSION) || feature.equals(SHARE_VERSION)) && level != 1)
                throw invalid(
                        feature,
                        level,
                        "Skiff always serves " + (feature.equals(GROUP_VERSION) ? "consumer" : "share")
                                + " groups and keeps " + feature + " at 1.");
            if (level == 0) next.remove(feature);
            else next.put(feature, level);
        }
        if (validateOnly) return;
        Levels applied = new Levels(Collections.unmodifiableMap(next), now.epoch() + 1);
        if (file != null) write(file, applied);
        current = applied;
    }

    private static ApiException invalid(String feature, short level, String why) {
        return new ApiException(
                Errors.INVALID_UPDATE_VERSION,
                "Invalid update version " + level + " for feature " + feature + ". " + why);
    }

    private static Supported supported(String feature) {
        for (Supported s : SUPPORTED) if (s.name().equals(feature)) return s;
        return null;
    }

    private static void write(Path file, Levels levels) {
        StringBuilder body = new StringBuilder("epoch " + levels.epoch() + "\n");
        levels.levels()
                .forEach((name, level) ->
                        body.append(name).append(' ').append(level).append('\n'));
        CRC32 crc = new CRC32();
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        crc.update(bytes);
        String text = HEADER + "\n" + body + "crc " + crc.getValue() + "\n";
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename is done
            }
        } catch (IOException e) {
            throw new ApiException(Errors.KAFKA_STORAGE_ERROR, "Could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The levels kept in {@code file}, or null when it is absent or does not read back. */
    static Levels read(Path file) {
        if (!Files.exists(file)) return null;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 3 || !lines.get(0).equals(HEADER)) throw new IllegalArgumentException("no header");
            String last = lines.get(lines.size() - 1);
            if (!last.startsWith("crc ")) throw new IllegalArgumentException("no checksum");
            StringBuilder body = new StringBuilder();
            for (String line : lines.subList(1, lines.size() - 1))
                body.append(line).append('\n');
            CRC32 crc = new CRC32();
            crc.update(body.toString().getBytes(StandardCharsets.UTF_8));
            if (crc.getValue() != Long.parseLong(last.substring(4))) throw new IllegalArgumentException("checksum");
            String first = lines.get(1);
            if (!first.startsWith("epoch ")) throw new IllegalArgumentException("no epoch");
            long epoch = Long.parseLong(first.substring(6));
            Map<String, Short> levels = new LinkedHashMap<>();
            for (String line : lines.subList(2, lines.size() - 1)) {
                String[] parts = line.split(" ");
                if (parts.length != 2) throw new IllegalArgumentException("line " + line);
                Supported s = supported(parts[0]);
                short level = Short.parseShort(parts[1]);
                if (s == null || level < s.min() || level > s.max() || level == 0)
                    throw new IllegalArgumentException("level " + line);
                levels.put(parts[0], level);
            }
            return new Levels(Collections.unmodifiableMap(levels), epoch);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "Ignoring {}, which does not read back ({}): features start from the broker's properties",
                    file,
                    e.toString());
            return null;
        }
    }
}
