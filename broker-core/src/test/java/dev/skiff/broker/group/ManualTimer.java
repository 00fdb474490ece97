package dev.skiff.broker.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A clock that moves only when told; tasks due by then run in order of their due time. */
final class ManualTimer implements GroupTimer {

    private record Task(long dueMs, long seq, Runnable run) {}

    private final List<Task> tasks = new ArrayList<>();
    private long now = 1_000_000;
    private long seq;

    @Override
    public synchronized long nowMs() {
        return now;
    }

    @Override
    public synchronized void schedule(long delayMs, Runnable task) {
        tasks.add(new Task(now + Math.max(0, delayMs), seq++, task));
    }

    void advance(long ms) {
        long target;
        synchronized (this) {
            target = now + ms;
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream()
                        .filter(t -> t.dueMs() <= target)
                        .min(Comparator.comparingLong(Task::dueMs).thenComparingLong(Task::seq))
                        .orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = Math.max(now, next.dueMs());
            }
            next.run().run();
        }
    }
}
