package dev.skiff.broker;

import dev.skiff.log.FileChannelFactory;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.OpenFiles;
import dev.skiff.log.RecoveryPoints;
import dev.skiff.log.SegmentedLog;
import dev.skiff.log.memory.InMemoryLog;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where partitions keep their logs and topics their descriptions: files under the data dir (Kafka's
 * {@code <topic>-<partition>} directories), or memory only.
 */
public interface LogFactory {

    /** The longest file name the file system takes (ext4, xfs, btrfs, tmpfs: 255 bytes). */
    int MAX_FILE_NAME_BYTES = 255;

    /** Opens the log of an existing partition. */
    Log open(TopicPartition tp, LogConfig config);

    /**
     * Creates the log of a new partition: whatever an earlier, unfinished creation left under its name is
     * discarded; {@link #syncCreated()} then makes the new directories' entries in the data dir durable (once
     * for many partitions).
     */
    default Log create(TopicPartition tp, LogConfig config) {
        return open(tp, config);
    }

    /**
     * Prepares the log of a new partition, to be made by the supplier on the partition's first use: whatever an
     * earlier, unfinished creation or deletion left under its name is discarded now, so that a description saved
     * after this never names old records. Files make nothing else now: a topic's creation costs its description
     * only, and a partition whose directory is missing after a crash opens empty, as it was. Without an override
     * the log is made at once.
     */
    default Supplier<Log> createLater(TopicPartition tp, LogConfig config) {
        return new Made(create(tp, config));
    }

    /** A log {@link #createLater} made at once. */
    record Made(Log log) implements Supplier<Log> {
        @Override
        public Log get() {
            return log;
        }
    }

    /**
     * Opens the log of an existing partition at start: files open it now if its directory is there, and leave it
     * to be made on first use if not (a partition never used before a crash or stop: an empty log either way).
     */
    default Supplier<Log> openLater(TopicPartition tp, LogConfig config) {
        return new Made(open(tp, config));
    }

    /** Makes the partition directories created or removed since the last call durable. */
    default void syncCreated() {}

    /** Saved topic descriptions (name to properties), read at start. */
    Map<String, Properties> loadTopics();

    /** Saves a topic's description; it is durable (written, synced, renamed into place) when this returns. */
    void saveTopic(String name, Properties description);

    /**
     * Saves the descriptions of several topics (name to properties), all durable when this returns; files save
     * them with one sync of their directory for all, not one per topic. On an exception none of those that did
     * not exist before is saved.
     */
    default void saveTopics(Map<String, Properties> descriptions) {
        descriptions.forEach(this::saveTopic);
    }

    void deleteTopic(String name);

    /** True when what the broker writes survives the process (files), false for memory only. */
    boolean persistent();

    /** Every log was closed (a clean shutdown): what the factory keeps for all of them is written now. */
    default void closed() {}

    static LogFactory files(Path dataDir) {
        return files(dataDir, FileChannelFactory.DEFAULT);
    }

    /** Files under {@code dataDir}, at most {@code maxOpenFiles} of them open at once (-1: the default). */
    static LogFactory files(Path dataDir, int maxOpenFiles) {
        return new OnDisk(
                dataDir,
                new OpenFiles(
                        FileChannelFactory.DEFAULT, maxOpenFiles > 0 ? maxOpenFiles : OpenFiles.defaultMaxOpen()));
    }

    /** Files opened through {@code channels}: the seam for injected disk failures (full disk, I/O errors). */
    static LogFactory files(Path dataDir, FileChannelFactory channels) {
        return new OnDisk(dataDir, new OpenFiles(channels, OpenFiles.defaultMaxOpen()));
    }

    static LogFactory memory() {
        return new InMemory();
    }

    /**
     * Logs in segment files; topic descriptions in {@code .skiff/topics/<topic id>.properties}, which holds the
     * name (a name-based file name would not fit the file system for names near Kafka's 249 characters).
     */
    final class OnDisk implements LogFactory {
        private static final Logger LOG = LoggerFactory.getLogger(OnDisk.class);
        private static final String SUFFIX = ".properties", TMP = ".tmp";
        private final Path dataDir;
        private final Path topicsDir;
        private final OpenFiles files;
        /** The data dir's recovery-point-offset-checkpoint, kept by the logs as they flush. */
        private final RecoveryPoints recoveryPoints;
        /** The description file of each topic: the id-named one, or a name-named one of older versions. */
        private final Map<String, Path> descriptions = new ConcurrentHashMap<>();
        /** Directories made or removed in the data dir since the last {@link #syncCreated()}. */
        private volatile boolean dataDirChanged;
        /** A background sync of the data dir is queued and has not started. */
        private final AtomicBoolean syncPending = new AtomicBoolean();
        /** Runs those syncs; started on first use. */
        private ExecutorService syncer;

        OnDisk(Path dataDir, OpenFiles files) {
            this.dataDir = dataDir;
            this.files = files;
            this.topicsDir = dataDir.resolve(".skiff").resolve("topics");
            try {
                Files.createDirectories(topicsDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
            }
            this.recoveryPoints = new RecoveryPoints(dataDir);
        }

        @Override
        public void closed() {
            recoveryPoints.writeNow();
            ExecutorService s;
            synchronized (this) {
                s = syncer;
                syncer = null;
            }
            if (s != null) s.shutdown(); // a queued sync still runs
            try {
                syncDirectory(dataDir); // the directories made since the last background sync
            } catch (IOException e) {
                LOG.warn("Cannot sync {}: {}", dataDir, e.toString());
            }
        }

        /** The descriptors the logs hold, shared by all of them. */
        public OpenFiles openFiles() {
            return files;
        }

        @Override
        public boolean persistent() {
            return true;
        }

        private Path dirOf(TopicPartition tp) {
            return dataDir.resolve(tp.topic() + "-" + tp.partition());
        }

        @Override
        public Log open(TopicPartition tp, LogConfig config) {
            return SegmentedLog.open(dirOf(tp), config, files, System::currentTimeMillis, recoveryPoints);
        }

        @Override
        public Log create(TopicPartition tp, LogConfig config) {
            Path dir = dirOf(tp);
            clearLeftovers(dir);
            dataDirChanged = true;
            // the new directory's entry is synced by syncCreated; its empty files need not be: a log whose
            // directory is empty after a crash opens empty, as it was
            return SegmentedLog.open(dir, config, files, System::currentTimeMillis, recoveryPoints);
        }

        @Override
        public Supplier<Log> openLater(TopicPartition tp, LogConfig config) {
            Path dir = dirOf(tp);
            if (Files.isDirectory(dir)) return new Made(open(tp, config));
            return madeOnFirstUse(dir, config);
        }

        @Override
        public Supplier<Log> createLater(TopicPartition tp, LogConfig config) {
            Path dir = dirOf(tp);
            if (clearLeftovers(dir)) dataDirChanged = true; // synced by syncCreated, before the description is saved
            return madeOnFirstUse(dir, config);
        }

        /** Makes the log in {@code dir} when first asked, its directory's entry synced soon after. */
        private Supplier<Log> madeOnFirstUse(Path dir, LogConfig config) {
            return () -> {
                Log log = SegmentedLog.open(dir, config, files, System::currentTimeMillis, recoveryPoints);
                syncDataDirSoon();
                return log;
            };
        }

        /** Removes what an unfinished creation or deletion left in {@code dir}; true if there was anything. */
        private static boolean clearLeftovers(Path dir) {
            if (!Files.exists(dir)) return false;
            try {
                deleteRecursively(dir); // no description names it: an unfinished creation or deletion
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
            }
        }

        /**
         * A partition's directory made on first use has its entry in the data dir synced in the background, one
         * sync for all the directories made meanwhile: the first use (a produce answered on an I/O thread) does
         * not wait for it, as it waits for no fsync of the records it appends either.
         */
        private void syncDataDirSoon() {
            if (!syncPending.compareAndSet(false, true)) return;
            try {
                syncer().execute(() -> {
                    syncPending.set(false);
                    try {
                        syncDirectory(dataDir);
                    } catch (IOException e) {
                        LOG.warn("Cannot sync {}: {}", dataDir, e.toString());
                    }
                });
            } catch (RejectedExecutionException e) {
                syncPending.set(false); // closed: the directories' entries went with the last sync or the shutdown
            }
        }

        private synchronized ExecutorService syncer() {
            if (syncer == null)
                syncer = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "skiff-data-dir-sync");
                    t.setDaemon(true);
                    return t;
                });
            return syncer;
        }

        @Override
        public void syncCreated() {
            if (!dataDirChanged) return;
            try {
                syncDirectory(dataDir);
                dataDirChanged = false;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync " + dataDir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public Map<String, Properties> loadTopics() {
            Map<String, Properties> out = new LinkedHashMap<>();
            try (Stream<Path> list = Files.list(topicsDir)) {
                for (Path f : list.sorted().toList()) {
                    String file = f.getFileName().toString();
                    if (file.endsWith(SUFFIX + TMP)) {
                        Files.deleteIfExists(f); // a save that never got renamed into place
                        continue;
                    }
                    if (!file.endsWith(SUFFIX)) continue;
                    Properties p = new Properties();
                    try (var in = Files.newBufferedReader(f)) {
                        p.load(in);
                    }
                    String name = p.getProperty("name", file.substring(0, file.length() - SUFFIX.length()));
                    out.put(name, p);
                    descriptions.put(name, f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        @Override
        public void saveTopic(String name, Properties description) {
            saveTopics(Map.of(name, description));
        }

        /**
         * Each description is written to a temporary file and synced, then all are renamed into place and the
         * topics directory is synced once: a crash leaves each topic saved whole or not at all (a temporary file is
         * dropped at the next start), and N topics cost N + 1 syncs instead of 2N.
         */
        @Override
        public void saveTopics(Map<String, Properties> topics) {
            record Save(String name, Path tmp, Path target, boolean fresh) {}
            List<Save> saves = new ArrayList<>(topics.size());
            List<Save> moved = new ArrayList<>(topics.size());
            try {
                for (Map.Entry<String, Properties> e : topics.entrySet()) {
                    Properties p = new Properties();
                    p.putAll(e.getValue());
                    p.setProperty("name", e.getKey());
                    Path target = topicsDir.resolve(p.getProperty("id") + SUFFIX);
                    Save save = new Save(
                            e.getKey(),
                            topicsDir.resolve(p.getProperty("id") + SUFFIX + TMP),
                            target,
                            !Files.exists(target));
                    saves.add(save);
                    StringWriter text = new StringWriter();
                    p.store(text, "Skiff topic");
                    try (FileChannel ch = FileChannel.open(
                            save.tmp(),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
                        while (bytes.hasRemaining()) ch.write(bytes);
                        ch.force(true);
                    }
                }
                for (Save save : saves) {
                    Files.move(
                            save.tmp(),
                            save.target(),
                            StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                    moved.add(save);
                }
                syncDirectory(topicsDir);
            } catch (IOException e) {
                try {
                    for (Save save : saves) Files.deleteIfExists(save.tmp());
                    // a topic whose creation fails must not come back
                    for (Save save : moved) if (save.fresh()) Files.deleteIfExists(save.target());
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new UncheckedIOException("cannot save topics " + topics.keySet() + ": " + e.getMessage(), e);
            }
            boolean dropped = false;
            try {
                for (Save save : saves) {
                    Path before = descriptions.put(save.name(), save.target());
                    if (before != null && !before.equals(save.target())) {
                        Files.deleteIfExists(before); // the name-named file of an older version
                        dropped = true;
                    }
                }
                if (dropped) syncDirectory(topicsDir);
            } catch (IOException e) {
                // the new descriptions are in place; the older file names the same topic id and is replaced at the
                // next save
                throw new UncheckedIOException("cannot remove an older description: " + e.getMessage(), e);
            }
        }

        @Override
        public void deleteTopic(String name) {
            Path f = descriptions.remove(name);
            if (f == null) return;
            try {
                Files.deleteIfExists(f);
                syncDirectory(topicsDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Makes the directory's entries (files created, renamed or removed in it) durable. */
        private static void syncDirectory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }

        private static void deleteRecursively(Path dir) throws IOException {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    if (Files.isDirectory(p)) deleteRecursively(p);
                    else Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Everything in memory: nothing survives close. */
    final class InMemory implements LogFactory {
        @Override
        public boolean persistent() {
            return false;
        }

        @Override
        public Log open(TopicPartition tp, LogConfig config) {
            return InMemoryLog.create(config);
        }

        @Override
        public Map<String, Properties> loadTopics() {
            return Map.of();
        }

        @Override
        public void saveTopic(String name, Properties description) {}

        @Override
        public void deleteTopic(String name) {}
    }
}
