package dev.skiff.broker;

import dev.skiff.broker.producer.ProducerStateLoader;
import dev.skiff.broker.txn.PartitionTransactions;
import dev.skiff.broker.txn.PartitionTransactionsLoader;
import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One partition, led by this broker. Appends are serialised per partition (never across partitions); reads
 * go straight to the log. Waiters (long-poll fetches) of this partition are woken after every append to it.
 */
public final class Partition {

    private final TopicPartition id;
    private final Log log;
    /** Long-poll fetches waiting on this partition: a set, so thousands come and go in constant time each. */
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
    /** Kafka's producer.id.expiration.ms default: a producer silent for a day is forgotten. */
    static final long PRODUCER_EXPIRATION_MS = 86_400_000L;

    private ProducerStateTable producers; // built from the log on first use, guarded by this
    private long producersCheckedStart = -1;
    private volatile PartitionTransactions transactions; // open transactions, built from the log on first use

    Partition(TopicPartition id, Log log) {
        this.id = id;
        this.log = log;
    }

    public TopicPartition id() { return id; }

    public String topic() { return id.topic(); }

    public int index() { return id.partition(); }

    public Log log() { return log; }

    /**
     * The idempotent-producer state, rebuilt from the batch headers of the log on first use (so a restart
     * keeps recognising retries); producers whose batches retention removed are dropped. Callers that append
     * use it inside {@link #locked}.
     */
    public synchronized ProducerStateTable producers() {
        if (producers == null) producers = ProducerStateLoader.load(log);
        long start = log.logStartOffset();
        if (start != producersCheckedStart) {
            producersCheckedStart = start;
            producers.evict(start, System.currentTimeMillis() - PRODUCER_EXPIRATION_MS);
        }
        return producers;
    }

    /**
     * Open transactions of this partition (for the last stable offset), rebuilt from the log on first use and
     * kept up to date by every append after that, which also indexes each abort in the log for
     * read_committed fetches.
     */
    public PartitionTransactions transactions() {
        PartitionTransactions t = transactions;
        if (t == null) {
            synchronized (this) {
                if (transactions == null) transactions = PartitionTransactionsLoader.load(log);
                t = transactions;
            }
        }
        return t;
    }

    /** The first offset of the earliest open transaction, else the high watermark. */
    public long lastStableOffset() { return Math.min(transactions().lastStableOffset(), highWatermark()); }

    public long logStartOffset() { return log.logStartOffset(); }

    /** With a single replica everything appended is committed, so the high watermark is the log end. */
    public long highWatermark() { return log.logEndOffset(); }

    /** Appends v2 batches (validated by the caller) and wakes the waiters. */
    public Log.AppendInfo append(ByteBuffer batches) {
        Log.AppendInfo info;
        synchronized (this) {
            ByteBuffer appended = batches.duplicate();
            info = log.append(batches);
            PartitionTransactions t = transactions;
            if (t != null && info.batches() > 0) {
                try {
                    t.onAppended(appended, info.firstOffset());
                } catch (LogStorageException e) {
                    // the batches are in; only an abort's index entry failed: rebuild on next use, which retries it
                    transactions = null;
                }
            }
        }
        for (Runnable w : waiters) w.run();
        return info;
    }

    /** Runs {@code action} holding the append lock, for checks that must see no append in between. */
    public synchronized <T> T locked(java.util.function.Supplier<T> action) { return action.get(); }

    public LogSlice read(long offset, int maxBytes, boolean minOneBatch) {
        return log.read(offset, maxBytes, minOneBatch);
    }

    /** Registers a waiter, run after every append to this partition until removed. */
    public void addWaiter(Runnable waiter) { waiters.add(waiter); }

    public void removeWaiter(Runnable waiter) { waiters.remove(waiter); }

    /** Fetches waiting on this partition now. */
    public int waiterCount() { return waiters.size(); }
}
