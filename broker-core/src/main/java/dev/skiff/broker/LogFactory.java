package dev.skiff.broker;

import dev.skiff.log.FileChannelFactory;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.OpenFiles;
import dev.skiff.log.SegmentedLog;
import dev.skiff.log.memory.InMemoryLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

/**
 * Where partitions keep their logs and topics their descriptions: files under the data dir (Kafka's
 * {@code <topic>-<partition>} directories), or memory only.
 */
public interface LogFactory {

    Log open(TopicPartition tp, LogConfig config);

    /** Saved topic descriptions (name to properties), read at start. */
    Map<String, Properties> loadTopics();

    void saveTopic(String name, Properties description);

    void deleteTopic(String name);

    /** True when what the broker writes survives the process (files), false for memory only. */
    boolean persistent();

    static LogFactory files(Path dataDir) { return files(dataDir, FileChannelFactory.DEFAULT); }

    /** Files under {@code dataDir}, at most {@code maxOpenFiles} of them open at once (-1: the default). */
    static LogFactory files(Path dataDir, int maxOpenFiles) {
        return new OnDisk(dataDir, new OpenFiles(FileChannelFactory.DEFAULT,
                maxOpenFiles > 0 ? maxOpenFiles : OpenFiles.defaultMaxOpen()));
    }

    /** Files opened through {@code channels}: the seam for injected disk failures (full disk, I/O errors). */
    static LogFactory files(Path dataDir, FileChannelFactory channels) {
        return new OnDisk(dataDir, new OpenFiles(channels, OpenFiles.defaultMaxOpen()));
    }

    static LogFactory memory() { return new InMemory(); }

    /** Logs in segment files; topic descriptions in {@code .skiff/topics/<name>.properties}. */
    final class OnDisk implements LogFactory {
        private final Path dataDir;
        private final Path topicsDir;
        private final OpenFiles files;

        OnDisk(Path dataDir, OpenFiles files) {
            this.dataDir = dataDir;
            this.files = files;
            this.topicsDir = dataDir.resolve(".skiff").resolve("topics");
            try {
                Files.createDirectories(topicsDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create data dir " + dataDir + ": " + e.getMessage(), e);
            }
        }

        /** The descriptors the logs hold, shared by all of them. */
        public OpenFiles openFiles() { return files; }

        @Override
        public boolean persistent() { return true; }

        @Override
        public Log open(TopicPartition tp, LogConfig config) {
            return SegmentedLog.open(dataDir.resolve(tp.topic() + "-" + tp.partition()), config, files,
                    System::currentTimeMillis);
        }

        @Override
        public Map<String, Properties> loadTopics() {
            Map<String, Properties> out = new LinkedHashMap<>();
            try (Stream<Path> files = Files.list(topicsDir)) {
                for (Path f : files.sorted().toList()) {
                    String file = f.getFileName().toString();
                    if (!file.endsWith(".properties")) continue;
                    Properties p = new Properties();
                    try (var in = Files.newBufferedReader(f)) {
                        p.load(in);
                    }
                    out.put(file.substring(0, file.length() - ".properties".length()), p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        @Override
        public void saveTopic(String name, Properties description) {
            Path target = topicsDir.resolve(name + ".properties");
            Path tmp = topicsDir.resolve(name + ".properties.tmp");
            try (var out = Files.newBufferedWriter(tmp)) {
                description.store(out, "Skiff topic " + name);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void deleteTopic(String name) {
            try {
                Files.deleteIfExists(topicsDir.resolve(name + ".properties"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Everything in memory: nothing survives close. */
    final class InMemory implements LogFactory {
        @Override
        public boolean persistent() { return false; }

        @Override
        public Log open(TopicPartition tp, LogConfig config) { return InMemoryLog.create(config); }

        @Override
        public Map<String, Properties> loadTopics() { return Map.of(); }

        @Override
        public void saveTopic(String name, Properties description) {}

        @Override
        public void deleteTopic(String name) {}
    }
}
