package dev.skiff.log;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes the channels of deleted or replaced segments a while later instead of at once. A fetch response may
 * still be sending a region of such a segment with sendfile; the unlinked file stays readable through its open
 * descriptor until then (Kafka's {@code file.delete.delay.ms} does the same with renamed files).
 */
final class DelayedClose {

    /** How long a retired segment stays open; {@code skiff.log.delete.delay.ms}, default one minute. */
    static final long DELAY_MS = Long.getLong("skiff.log.delete.delay.ms", 60_000);

    private static final class Holder {
        static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skiff-log-delayed-close");
            t.setDaemon(true);
            return t;
        });
    }

    private DelayedClose() {}

    static void later(Closeable c) {
        if (DELAY_MS <= 0) {
            closeQuietly(c);
            return;
        }
        Holder.TIMER.schedule(() -> closeQuietly(c), DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing is left to lose: the file is already gone from the directory
        }
    }
}
