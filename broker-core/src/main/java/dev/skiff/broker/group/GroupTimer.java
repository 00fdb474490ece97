package dev.skiff.broker.group;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's clock and delayed tasks. Tasks are never cancelled: each one re-checks the group when it
 * runs, so a stale one does nothing. Tests drive a manual implementation.
 */
public interface GroupTimer {

    long nowMs();

    void schedule(long delayMs, Runnable task);

    /** Wall clock time and the broker's scheduler thread. */
    static GroupTimer of(ScheduledExecutorService scheduler) {
        return new GroupTimer() {
            @Override
            public long nowMs() {
                return System.currentTimeMillis();
            }

            @Override
            public void schedule(long delayMs, Runnable task) {
                try {
                    scheduler.schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    // the broker is stopping: its groups go with it
                }
            }
        };
    }
}
