package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Checks on the {@code RECORD key value partition offset} and {@code COMMITTED partition offset} lines the scripts print. */
final class Records {

    private Records() {}

    /**
     * The records read are exactly {@code key-i/value-i} for i in [first, first+count), each once, with the
     * offsets of each partition strictly increasing (order within a partition is kept).
     */
    static void assertReadBack(List<String> records, int first, int count) {
        Set<String> expected = new TreeSet<>();
        for (int i = first; i < first + count; i++) expected.add("key-" + i + " value-" + i);
        List<String> seen = new ArrayList<>();
        Map<Integer, Long> lastOffset = new TreeMap<>();
        for (String r : records) {
            String[] f = r.split(" ");
            assertEquals("key-" + f[1].substring("value-".length()), f[0], "key goes with its value: " + r);
            seen.add(f[0] + " " + f[1]);
            long offset = Long.parseLong(f[3]);
            Long before = lastOffset.put(Integer.parseInt(f[2]), offset);
            if (before != null && offset <= before) {
                throw new AssertionError("partition " + f[2] + " went from offset " + before + " to " + offset);
            }
        }
        assertEquals(count, seen.size(), () -> "records read: " + records);
        assertEquals(expected, new TreeSet<>(seen), () -> "records read: " + records);
    }

    /** The group's committed offset of each partition read is one past the last record read from it. */
    static void assertCommittedAtEnd(List<String> committed, List<String> records) {
        Map<Integer, Long> next = new TreeMap<>();
        for (String r : records) {
            String[] f = r.split(" ");
            next.merge(Integer.parseInt(f[2]), Long.parseLong(f[3]) + 1, Math::max);
        }
        Map<Integer, Long> got = new TreeMap<>();
        for (String c : committed) {
            String[] f = c.split(" ");
            got.put(Integer.parseInt(f[0]), Long.parseLong(f[1]));
        }
        got.keySet().retainAll(next.keySet()); // partitions assigned but empty may report no commit
        assertEquals(next, got, () -> "committed " + committed);
    }
}
