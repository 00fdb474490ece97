package dev.skiff.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.opentest4j.AssertionFailedError;

/** Waits for a condition by asking again until a deadline; never a sleep of fixed length for a result. */
public final class Poll {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final long PAUSE_MILLIS = 50;

    private Poll() {}

    /**
     * Calls {@code probe} until {@code done} accepts its value and returns that value. A probe that throws
     * counts as not done (the broker may still be starting or creating a topic). Fails at the deadline,
     * naming {@code what} and the last value or exception seen.
     */
    public static <T> T until(Duration timeout, String what, Callable<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                last = probe.call();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionFailedError(
                        "timed out after " + timeout + " waiting for " + what + "; last "
                                + (lastError != null ? "error: " + lastError : "value: " + last),
                        lastError);
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting for " + what);
            }
        }
    }

    public static <T> T until(String what, Callable<T> probe, Predicate<? super T> done) {
        return until(DEFAULT_TIMEOUT, what, probe, done);
    }
}
