package dev.skiff.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Heap and threads an idle Skiff broker adds to a JVM, measured after one client request and a pause. Run
 * with the serial collector, whose heap use after a full GC is the live data.
 */
final class Footprint {

    record Result(long heapBytes, int threads, Set<String> threadNames) {}

    static final int MORE = 10;

    /**
     * The first broker of a fresh JVM (its classes' static data included), then the mean of {@value #MORE} more
     * started beside it (one alone is below the heap's measuring grain). Between the two, {@value #MORE} brokers
     * are started unmeasured: brokers share Netty's I/O threads, and each I/O thread's first connection builds
     * its buffer pool cache, a cost of the JVM rather than of the broker that happens to come first.
     */
    static Result[] measure(Contender c) throws Exception {
        try (Started first = startIdle(c, 1);
                Started unmeasured = startIdle(c, MORE)) {
            try (Started more = startIdle(c, MORE)) {
                Result r = more.result;
                return new Result[] {first.result, new Result(r.heapBytes() / MORE, r.threads() / MORE, r.threadNames())
                };
            }
        }
    }

    private record Started(List<StartedBroker> brokers, Result result) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            for (StartedBroker b : brokers) b.close();
        }
    }

    private static Started startIdle(Contender c, int count) throws Exception {
        List<Contender.Prepared> prepared = new ArrayList<>();
        for (int i = 0; i < count; i++) prepared.add(c.prepare());
        settle();
        long heapBefore = heapUsed();
        Set<String> before = threadNames();
        List<StartedBroker> brokers = new ArrayList<>();
        for (Contender.Prepared p : prepared) {
            StartedBroker b = p.start();
            brokers.add(b);
            MetadataProbe.awaitAnswer(b.host(), b.port(), 60_000);
        }
        Thread.sleep(1000); // idle
        settle();
        long heapAfter = heapUsed();
        Set<String> added = threadNames();
        added.removeAll(before);
        return new Started(brokers, new Result(heapAfter - heapBefore, added.size(), added));
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Live threads by name, numbered ones kept apart. */
    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.isAlive()) names.add(t.getName() + "#" + t.getId());
        return names;
    }

    private Footprint() {}
}
