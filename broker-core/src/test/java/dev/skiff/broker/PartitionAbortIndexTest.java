package dev.skiff.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogStorageException;
import dev.skiff.log.memory.InMemoryLog;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An abort whose index entry cannot be written is indexed again when the transactions are rebuilt. */
class PartitionAbortIndexTest {

    @Test
    void aFailedIndexWriteIsRetriedByTheRebuild() {
        InMemoryLog real = InMemoryLog.create(LogConfig.defaults());
        AtomicInteger failures = new AtomicInteger(1);
        Log log = (Log) Proxy.newProxyInstance(
                Log.class.getClassLoader(), new Class<?>[] {Log.class}, (proxy, m, args) -> {
                    if (m.getName().equals("appendAbortedTransaction") && failures.getAndDecrement() > 0) {
                        throw new LogStorageException("disk full");
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Partition p = new Partition(new TopicPartition("t", 0), log);
        assertEquals(0, p.lastStableOffset()); // tracking from here
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE)
                .producer(3, (short) 0, 0)
                .transactional(true);
        b.append(1L, null, "v".getBytes(StandardCharsets.UTF_8));
        p.append(b.build());
        p.append(RecordBatchBuilder.endTxnMarker(0, 1, 3, (short) 0, 0, false, 0)); // the index write fails
        assertTrue(real.abortedTransactions(0, 2).isEmpty());
        assertEquals(2, p.lastStableOffset()); // rebuilt, which indexes the abort
        assertEquals(List.of(new AbortedTxn(3, 0, 1, 2)), log.abortedTransactions(0, 2));
    }
}
