package dev.skiff.log;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread that fsyncs segments after they roll. A roll happens inside an append, on the thread of the
 * connection that produced; fsyncing up to a gigabyte of dirty pages there would stall every connection that
 * thread serves. One daemon thread for the JVM, started by the first roll.
 */
final class RolledSegmentFlusher {
    private RolledSegmentFlusher() {}

    private static final class Holder {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skiff-segment-flush");
            t.setDaemon(true);
            return t;
        });
    }

    static Executor executor() {
        return Holder.EXECUTOR;
    }
}
