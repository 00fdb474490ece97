package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A stop (the JVM's shutdown hook) at every moment of a start: nothing started is left open. */
@Timeout(30)
class StopOnShutdownTest {

    private final AtomicReference<Thread> hook = new AtomicReference<>();

    @Test
    void theHookIsInPlaceBeforeTheStartSettles() {
        new StopOnShutdown(hook::set);
        assertNotNull(hook.get(), "no hook until the broker is up leaves a stop during the start unhandled");
    }

    @Test
    void aStopDuringTheStartWaitsForItThenClosesWhatStarted() throws Exception {
        StopOnShutdown stop = new StopOnShutdown(hook::set);
        AtomicInteger closes = new AtomicInteger();
        hook.get().start(); // SIGTERM while the broker is still starting
        hook.get().join(200);
        assertTrue(hook.get().isAlive(), "the hook waits for the start to settle");
        assertEquals(0, closes.get());

        stop.settle(closes::incrementAndGet);
        hook.get().join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(hook.get().isAlive());
        assertEquals(1, closes.get());
        stop.awaitStop(); // the main thread is released
    }

    @Test
    void aStopAfterTheStartClosesOnceAndReleasesTheMainThread() throws Exception {
        StopOnShutdown stop = new StopOnShutdown(hook::set);
        AtomicInteger closes = new AtomicInteger();
        stop.settle(closes::incrementAndGet);
        Thread main = new Thread(stop::awaitStop);
        main.start();
        hook.get().start();
        main.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(main.isAlive());
        assertEquals(1, closes.get());
    }

    @Test
    void aStartThatFailedHasNothingToClose() throws Exception {
        StopOnShutdown stop = new StopOnShutdown(hook::set);
        stop.settle(null);
        hook.get().start();
        hook.get().join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(hook.get().isAlive());
        stop.awaitStop();
    }
}
