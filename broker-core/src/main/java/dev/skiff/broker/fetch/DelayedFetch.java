package dev.skiff.broker.fetch;

import dev.skiff.broker.Connection;
import dev.skiff.broker.Partition;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A fetch waiting for data: registered with each of its partitions only, woken by appends to them (no
 * polling), completed once when {@code enough} says so or when max_wait_ms runs out, whichever comes first,
 * and cancelled when its connection closes. An append only hands the check over to the connection's thread,
 * so a produce never pays for the reads of the fetches it wakes.
 */
public final class DelayedFetch implements Runnable {

    private final List<Partition> partitions;
    private final BooleanSupplier enough;
    private final Executor executor;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** A check is queued on the executor: further appends before it runs add nothing. */
    private final AtomicBoolean checkQueued = new AtomicBoolean();

    private volatile ScheduledFuture<?> timeout;
    private volatile Connection.Registration closeHook;

    private DelayedFetch(List<Partition> partitions, BooleanSupplier enough, Executor executor) {
        this.partitions = partitions;
        this.enough = enough;
        this.executor = executor;
    }

    /**
     * Completes when enough data arrived or after maxWaitMs; is cancelled (never completes normally) if
     * {@code connection} closes first. The timer must remove cancelled tasks, or every fetch answered early
     * would stay queued for its whole max_wait_ms.
     */
    public static CompletableFuture<Void> await(
            ScheduledExecutorService timer,
            Connection connection,
            List<Partition> partitions,
            long maxWaitMs,
            BooleanSupplier enough) {
        DelayedFetch f = new DelayedFetch(
                partitions.stream().filter(Objects::nonNull).distinct().toList(), enough, connection.executor());
        for (Partition p : f.partitions) p.addWaiter(f);
        f.timeout = timer.schedule(() -> f.runOnConnection(f::complete), maxWaitMs, TimeUnit.MILLISECONDS);
        f.closeHook = connection.onClose(f::cancel);
        // An append may have landed between the caller's check and our registration.
        if (enough.getAsBoolean()) f.complete();
        // Finished while the timer or hook were being set up: they were not there to be removed.
        if (f.finished.get()) f.release();
        return f.done;
    }

    /** Called after each append to one of the partitions. */
    @Override
    public void run() {
        if (finished.get() || !checkQueued.compareAndSet(false, true)) return;
        runOnConnection(this::check);
    }

    private void check() {
        checkQueued.set(false);
        if (!finished.get() && enough.getAsBoolean()) complete();
    }

    private void runOnConnection(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            cancel(); // the connection's thread is shutting down, and the connection with it
        }
    }

    private void complete() {
        if (!finished.compareAndSet(false, true)) return;
        release();
        done.complete(null);
    }

    /** The client went away: nobody would read the answer, so none is built. */
    private void cancel() {
        if (!finished.compareAndSet(false, true)) return;
        release();
        done.cancel(false);
    }

    private void release() {
        for (Partition p : partitions) p.removeWaiter(this);
        ScheduledFuture<?> t = timeout;
        if (t != null) t.cancel(false);
        Connection.Registration hook = closeHook;
        if (hook != null) hook.cancel();
    }
}
