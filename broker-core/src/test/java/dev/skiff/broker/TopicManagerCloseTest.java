package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.config.BrokerConfig;
import dev.skiff.log.LogStorageException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition whose log fails to close (recovered on its next open) does not leave the others open. */
class TopicManagerCloseTest {
    @TempDir
    Path dir;

    /** Logs under the data dir whose closes are recorded; the one of {@link #failing} throws instead. */
    private final class FailingClose extends InterceptedLogs {
        final Set<TopicPartition> closed = ConcurrentHashMap.newKeySet();
        final TopicPartition failing = new TopicPartition("a", 0);

        FailingClose() {
            super(LogFactory.files(dir));
        }

        @Override
        protected void before(TopicPartition tp, String method) {
            if (!method.equals("close")) return;
            closed.add(tp);
            if (tp.equals(failing)) throw new LogStorageException("injected: close of " + tp + " failed");
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
