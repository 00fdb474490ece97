package dev.skiff.broker.quota;

import dev.skiff.broker.durable.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client quotas set with AlterClientQuotas: by entity, quota key and value (Kafka's ClientQuotaRecords, folded).
 *
 * <p>Durable mode keeps them in {@code <log.dirs>/.skiff/client-quotas}: a change is written first (the whole table
 * to a temp file, fsync, atomic rename, fsync of the directory) and applied to memory only once written, and a
 * start reads the same file back, so what a client was told succeeded survives a crash. One line per entity and
 * key, each ending with the CRC32 of the line: a damaged line is skipped with a warning naming it. In-memory mode
 * keeps the table in memory only.
 */
public final class ClientQuotaStore {

    private static final Logger log = LoggerFactory.getLogger(ClientQuotaStore.class);
    private static final String HEADER = "# skiff client quotas v1";

    /** One change: a key set to a value, or removed (value null). */
    public record Change(QuotaEntity entity, String key, Double value) {}

    private final Path file;
    private final int maxEntities;
    private final List<Consumer<Map<QuotaEntity, Map<String, Double>>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<QuotaEntity, Map<String, Double>> quotas;

    private ClientQuotaStore(Path file, int maxEntities, Map<QuotaEntity, Map<String, Double>> quotas) {
        this.file = file;
        this.maxEntities = maxEntities;
        this.quotas = quotas;
    }

    public static ClientQuotaStore inMemory(int maxEntities) {
        return new ClientQuotaStore(null, maxEntities, Map.of());
    }

    /** The store kept in {@code file}, read back now. */
    public static ClientQuotaStore open(Path file, int maxEntities) {
        return new ClientQuotaStore(file, maxEntities, read(file));
    }

    /** The store of a broker: on disk under {@code <dataDir>/.skiff} when persistent, else in memory. */
    public static ClientQuotaStore forBroker(boolean persistent, Path dataDir, int maxEntities) {
        return persistent
                ? open(dataDir.resolve(".skiff").resolve("client-quotas"), maxEntities)
                : inMemory(maxEntities);
    }

    /** Every entity with its quotas (never empty maps); an immutable snapshot. */
    public Map<QuotaEntity, Map<String, Double>> all() {
        return quotas;
    }

    /** How many entities the store may hold (skiff.quotas.entities.max). */
    public int maxEntities() {
        return maxEntities;
    }

    /** Called with the new table after every change that was applied (and once now). */
    public void subscribe(Consumer<Map<QuotaEntity, Map<String, Double>>> listener) {
        listeners.add(listener);
        listener.accept(quotas);
    }

    /**
     * Writes the changes, then applies them; nothing changes when the write fails. Callers validate first (see
     * {@link ClientQuotaAdmin}).
     */
    public synchronized void apply(List<Change> changes) {
        if (changes.isEmpty()) return;
        Map<QuotaEntity, Map<String, Double>> next = new LinkedHashMap<>();
        quotas.forEach((e, m) -> next.put(e, new TreeMap<>(m)));
        for (Change c : changes) {
            if (c.value() == null) {
                Map<String, Double> m = next.get(c.entity());
                if (m != null) {
                    m.remove(c.key());
                    if (m.isEmpty()) next.remove(c.entity());
                }
            } else {
                next.computeIfAbsent(c.entity(), e -> new TreeMap<>()).put(c.key(), c.value());
            }
        }
        Map<QuotaEntity, Map<String, Double>> frozen = freeze(next);
        if (file != null) write(frozen);
        quotas = frozen;
        for (var l : listeners) l.accept(frozen);
    }

    private static Map<QuotaEntity, Map<String, Double>> freeze(Map<QuotaEntity, Map<String, Double>> table) {
        Map<QuotaEntity, Map<String, Double>> frozen = new LinkedHashMap<>();
        table.forEach((e, m) -> frozen.put(e, Collections.unmodifiableMap(m)));
        return Collections.unmodifiableMap(frozen);
    }

    private static String encode(QuotaEntity entity) {
        StringBuilder sb = new StringBuilder();
        for (QuotaEntity.Part p : entity.parts()) {
            if (sb.length() > 0) sb.append(',');
            sb.append(p.type());
            if (p.name() != null)
                sb.append(':')
                        .append(Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(p.name().getBytes(StandardCharsets.UTF_8)));
        }
        return sb.toString();
    }

    private static QuotaEntity decode(String s) {
        QuotaEntity entity = new QuotaEntity(0, null, null, null);
        for (String part : s.split(",")) {
            int colon = part.indexOf(':');
            String type = colon < 0 ? part : part.substring(0, colon);
            String name = colon < 0
                    ? null
                    : new String(Base64.getUrlDecoder().decode(part.substring(colon + 1)), StandardCharsets.UTF_8);
            if (entity.has(type)) throw new IllegalArgumentException("entity type " + type + " twice");
            entity = entity.with(type, name);
        }
        return entity;
    }

    private void write(Map<QuotaEntity, Map<String, Double>> table) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        table.forEach((entity, values) -> values.forEach((key, value) -> {
            String line = encode(entity) + ' ' + key + ' ' + Double.toString(value);
            sb.append(line).append(' ').append(crc(line)).append('\n');
        }));
        try {
            AtomicFiles.replace(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write client quotas to " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<QuotaEntity, Map<String, Double>> read(Path file) {
        if (!Files.exists(file)) return Map.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read client quotas from " + file + ": " + e.getMessage(), e);
        }
        Map<QuotaEntity, Map<String, Double>> table = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || line.startsWith("#")) continue;
            try {
                int lastSpace = line.lastIndexOf(' ');
                if (lastSpace < 0) throw new IllegalArgumentException("no CRC");
                String body = line.substring(0, lastSpace);
                if (!line.substring(lastSpace + 1).equals(crc(body))) throw new IllegalArgumentException("bad CRC");
                String[] f = body.split(" ");
                if (f.length != 3) throw new IllegalArgumentException("expected 3 fields, got " + f.length);
                QuotaEntity entity = decode(f[0]);
                if (entity.types() == 0) throw new IllegalArgumentException("empty entity");
                table.computeIfAbsent(entity, e -> new TreeMap<>()).put(f[1], Double.parseDouble(f[2]));
            } catch (RuntimeException e) {
                log.warn("Skipping damaged line {} of {}: {}", i + 1, file, e.getMessage());
            }
        }
        return freeze(table);
    }

    private static String crc(String line) {
        CRC32 crc = new CRC32();
        crc.update(line.getBytes(StandardCharsets.ISO_8859_1));
        return Long.toHexString(crc.getValue());
    }
}
