package dev.skiff.broker.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Connection;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Waiting fetches: woken only by their own partitions, on their connection's thread, gone with the connection. */
class DelayedFetchTest {

    private static final long LONG_WAIT_MS = 3_600_000;

    private final Broker broker = new Broker(BrokerConfig.of(Map.of()), LogFactory.memory());

    /**
     * The waiters' timer, set as the broker sets its scheduler. It is the test's own so that its queue holds only
     * the waiters' timeouts: the broker's also holds its own one-shot and periodic tasks, which come and go.
     */
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    {
        timer.setRemoveOnCancelPolicy(true);
    }

    {
        broker.createTopics(Map.of("t", 2));
    }

    /** A connection whose thread is a queue the test runs by hand, and whose close the test decides. */
    private static final class TestConnection implements Connection {
        final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>(); // the timer adds from its thread
        final List<Runnable> hooks = new ArrayList<>();

        @Override
        public Registration onClose(Runnable onClose) {
            hooks.add(onClose);
            return () -> hooks.remove(onClose);
        }

        @Override
        public Executor executor() {
            return tasks::add;
        }

        void runTasks() {
            while (!tasks.isEmpty()) tasks.poll().run();
        }

        void close() {
            for (Runnable hook : List.copyOf(hooks)) hook.run();
        }
    }

    @AfterEach
    void close() {
        timer.shutdownNow();
        broker.close();
    }

    @Test
    void theBrokersSchedulerDropsCancelledTimeoutsAsThisTestsTimerDoes() {
        assertTrue(((ScheduledThreadPoolExecutor) broker.scheduler()).getRemoveOnCancelPolicy());
    }

    private Partition partition(int i) {
        return broker.topics().get("t").partition(i);
    }

    private static void appendOne(Partition p) {
        p.append(new RecordBatchBuilder(CompressionType.NONE)
                .append(1L, "k".getBytes(), "v".getBytes())
                .build());
    }

    private int timerQueue() {
        return timer.getQueue().size();
    }

    @Test
    void closingTheConnectionCancelsItsWaitersAndTheirTimers() {
        TestConnection connection = new TestConnection();
        int timersBefore = timerQueue();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            waiting.add(DelayedFetch.await(timer, connection, List.of(partition(0)), LONG_WAIT_MS, () -> false));
        }
        assertEquals(2_000, partition(0).waiterCount());
        assertEquals(2_000, connection.hooks.size());
        assertEquals(timersBefore + 2_000, timerQueue());

        connection.close();

        assertEquals(0, partition(0).waiterCount());
        assertEquals(0, connection.hooks.size(), "each cancelled waiter forgets its hook");
        assertEquals(timersBefore, timerQueue(), "cancelled timeouts leave the timer's queue");
        assertTrue(waiting.stream().allMatch(CompletableFuture::isCancelled));
    }

    @Test
    void anAppendWakesOnlyTheWaitersOfItsPartitionAndChecksOnTheirThread() {
        TestConnection connection = new TestConnection();
        AtomicInteger checksOf0 = new AtomicInteger();
        AtomicInteger checksOf1 = new AtomicInteger();
        CompletableFuture<Void> on0 = DelayedFetch.await(
                timer,
                connection,
                List.of(partition(0)),
                LONG_WAIT_MS,
                () -> checksOf0.incrementAndGet() > 1 && partition(0).highWatermark() > 0);
        List<CompletableFuture<Void>> on1 = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            on1.add(DelayedFetch.await(timer, connection, List.of(partition(1)), LONG_WAIT_MS, () -> {
                checksOf1.incrementAndGet();
                return false;
            }));
        }
        int checksOf1AtStart = checksOf1.get();

        appendOne(partition(0));
        appendOne(partition(0)); // a second append before the check ran queues no second check
        assertFalse(on0.isDone(), "the appending thread only hands the check over");
        assertEquals(1, connection.tasks.size());
        connection.runTasks();

        assertTrue(on0.isDone() && !on0.isCompletedExceptionally());
        assertEquals(checksOf1AtStart, checksOf1.get(), "waiters of another partition are not looked at");
        assertEquals(0, partition(0).waiterCount());
        assertEquals(500, partition(1).waiterCount());
        assertEquals(500, connection.hooks.size(), "the finished waiter forgot its close hook");
        connection.close();
        assertEquals(0, partition(1).waiterCount());
    }

    @Test
    void aConnectionClosedBeforeTheFetchWaitsCancelsItAtOnce() {
        Connection closed = new Connection() {
            @Override
            public Registration onClose(Runnable onClose) {
                onClose.run();
                return () -> {};
            }

            @Override
            public Executor executor() {
                return Runnable::run;
            }
        };
        int timersBefore = timerQueue();
        CompletableFuture<Void> f = DelayedFetch.await(timer, closed, List.of(partition(0)), LONG_WAIT_MS, () -> false);
        assertTrue(f.isCancelled());
        assertEquals(0, partition(0).waiterCount());
        assertEquals(timersBefore, timerQueue());
    }

    @Test
    void theTimeoutAnswersOnTheConnectionsThread() throws InterruptedException {
        TestConnection connection = new TestConnection();
        CompletableFuture<Void> f = DelayedFetch.await(timer, connection, List.of(partition(0)), 1, () -> false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (connection.tasks.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
        assertFalse(f.isDone(), "the timer only hands the answer over");
        connection.runTasks();
        assertTrue(f.isDone() && !f.isCancelled());
        assertEquals(0, partition(0).waiterCount());
    }
}
