package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.config.BrokerConfig;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogStorageException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition whose log fails to close (recovered on its next open) does not leave the others open. */
class TopicManagerCloseTest {
    @TempDir
    Path dir;

    /** Logs under the data dir; the one of {@link #failing} throws on close, after closing for real. */
    private final class FailingClose implements LogFactory {
        final LogFactory files = LogFactory.files(dir);
        final Set<TopicPartition> closed = ConcurrentHashMap.newKeySet();
        final TopicPartition failing = new TopicPartition("a", 0);

        @Override
        public Log open(TopicPartition tp, LogConfig config) {
            return watched(tp, files.open(tp, config));
        }

        @Override
        public Log create(TopicPartition tp, LogConfig config) {
            return watched(tp, files.create(tp, config));
        }

        private Log watched(TopicPartition tp, Log log) {
            return (Log) Proxy.newProxyInstance(Log.class.getClassLoader(), new Class<?>[] {Log.class}, (p, m, a) -> {
                Object out;
                try {
                    out = m.invoke(log, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (m.getName().equals("close")) {
                    closed.add(tp);
                    if (tp.equals(failing)) throw new LogStorageException("injected: close of " + tp + " failed");
                }
                return out;
            });
        }

        @Override
        public void syncCreated() {
            files.syncCreated();
        }

        @Override
        public Map<String, Properties> loadTopics() {
            return files.loadTopics();
        }

        @Override
        public void saveTopic(String name, Properties description) {
            files.saveTopic(name, description);
        }

        @Override
        public void deleteTopic(String name) {
            files.deleteTopic(name);
        }

        @Override
        public boolean persistent() {
            return true;
        }
    }

    @Test
    void closesEveryPartitionAndThenReportsTheFailure() {
        FailingClose logs = new FailingClose();
        TopicManager topics = new TopicManager(BrokerConfig.defaults(), logs);
        topics.create("a", 3, Map.of());
        topics.create("b", 2, Map.of());
        for (int i = 0; i < 3; i++) topics.partition("a", i).log();
        for (int i = 0; i < 2; i++) topics.partition("b", i).log();

        LogStorageException e = assertThrows(LogStorageException.class, topics::close);
        assertEquals("injected: close of a-0 failed", e.getMessage());
        assertEquals(
                Set.of(
                        new TopicPartition("a", 0),
                        new TopicPartition("a", 1),
                        new TopicPartition("a", 2),
                        new TopicPartition("b", 0),
                        new TopicPartition("b", 1)),
                logs.closed);
    }
}
