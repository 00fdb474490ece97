package dev.skiff.server;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Stops what {@link Main} started when the JVM is asked to stop (SIGTERM, Ctrl-C), whenever that comes.
 *
 * <p>The hook is registered before anything starts. Registering it only once the broker is up leaves a window in
 * which a stop finds no hook: {@code addShutdownHook} then throws "Shutdown in progress", and the JVM halts with
 * the logs and sockets still open. A stop that comes while the broker is still starting waits for the start to
 * settle, then closes what it started.
 */
final class StopOnShutdown {

    private final CountDownLatch settled = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Runnable close;

    /** Registers the hook with the JVM. */
    static StopOnShutdown register() {
        return new StopOnShutdown(Runtime.getRuntime()::addShutdownHook);
    }

    StopOnShutdown(Consumer<Thread> addHook) {
        addHook.accept(new Thread(this::onShutdown, "skiff-shutdown"));
    }

    /** The start is over: {@code close} (null when nothing started) is what a stop runs. */
    void settle(Runnable close) {
        this.close = close;
        settled.countDown();
    }

    /** Blocks until a stop has closed what was started. */
    void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onShutdown() {
        boolean interrupted = false;
        while (true) {
            try {
                settled.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            Runnable c = close;
            if (c != null) c.run();
        } finally {
            stopped.countDown();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
