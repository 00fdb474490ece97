package dev.skiff.bench;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.TreeSet;

/** Heap and threads an idle Skiff broker adds to a JVM, measured after one client request and a pause. */
final class Footprint {

    record Result(long heapBytes, int threads, Set<String> threadNames) {}

    /** The first broker of a fresh JVM (its classes' static data included), then a second one beside it. */
    static Result[] measure(Contender c) throws Exception {
        try (Started first = startIdle(c)) {
            try (Started second = startIdle(c)) {
                return new Result[] {first.result, second.result};
            }
        }
    }

    private record Started(StartedBroker broker, Result result) implements AutoCloseable {
        @Override public void close() throws Exception { broker.close(); }
    }

    private static Started startIdle(Contender c) throws Exception {
        Contender.Prepared p = c.prepare();
        settle();
        long heapBefore = heapUsed();
        Set<String> before = threadNames();
        StartedBroker b = p.start();
        MetadataProbe.awaitAnswer(b.host(), b.port(), 60_000);
        Thread.sleep(1000); // idle
        settle();
        long heapAfter = heapUsed();
        Set<String> added = threadNames();
        added.removeAll(before);
        return new Started(b, new Result(heapAfter - heapBefore, added.size(), added));
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
