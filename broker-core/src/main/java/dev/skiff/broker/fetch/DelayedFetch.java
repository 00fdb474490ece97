package dev.skiff.broker.fetch;

import dev.skiff.broker.Partition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A fetch waiting for data: woken by appends to its partitions (no polling), completed once when
 * {@code enough} says so or when max_wait_ms runs out, whichever comes first.
 */
public final class DelayedFetch implements Runnable {

    private final List<Partition> partitions;
    private final BooleanSupplier enough;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;

    private DelayedFetch(List<Partition> partitions, BooleanSupplier enough) {
        this.partitions = partitions;
        this.enough = enough;
    }

    /** Completes when enough data arrived or after maxWaitMs. */
    public static CompletableFuture<Void> await(ScheduledExecutorService timer, List<Partition> partitions,
                                                long maxWaitMs, BooleanSupplier enough) {
        DelayedFetch f = new DelayedFetch(partitions.stream().filter(java.util.Objects::nonNull).distinct().toList(), enough);
        for (Partition p : f.partitions) p.addAppendListener(f);
        f.timeout = timer.schedule(f::complete, maxWaitMs, TimeUnit.MILLISECONDS);
        // An append may have landed between the caller's check and our registration.
        if (enough.getAsBoolean()) f.complete();
        return f.done;
    }

    /** Called after each append to one of the partitions. */
    @Override
    public void run() {
        if (!completed.get() && enough.getAsBoolean()) complete();
    }

    private void complete() {
        if (!completed.compareAndSet(false, true)) return;
        for (Partition p : partitions) p.removeAppendListener(this);
        ScheduledFuture<?> t = timeout;
        if (t != null) t.cancel(false);
        done.complete(null);
    }
}
