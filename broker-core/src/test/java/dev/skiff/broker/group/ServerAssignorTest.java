package dev.skiff.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.types.Uuid;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServerAssignorTest {

    private static final Uuid A = new Uuid(1, 1);
    private static final Uuid B = new Uuid(2, 2);

    private static int count(Map<Uuid, Set<Integer>> a) {
        return a.values().stream().mapToInt(Set::size).sum();
    }

    @Test
    void uniformSpreadsEvenlyAndKeepsWhatStaysBalanced() {
        ServerAssignor uniform = ServerAssignor.named("uniform");
        Map<String, Set<Uuid>> subs = new TreeMap<>(Map.of("m1", Set.of(A), "m2", Set.of(A), "m3", Set.of(A)));
        var first = uniform.assign(subs, Map.of(A, 6), Map.of());
        first.values().forEach(a -> assertEquals(2, count(a)));
        Set<Integer> all = new HashSet<>();
        first.values().forEach(a -> all.addAll(a.get(A)));
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), all);
        // a fourth member: each of the others keeps at least one of its partitions, nobody moves needlessly
        subs.put("m4", Set.of(A));
        var second = uniform.assign(subs, Map.of(A, 6), first);
        int kept = 0;
        for (String m : first.keySet()) {
            Set<Integer> now = second.get(m).getOrDefault(A, Set.of());
            for (int p : first.get(m).get(A)) if (now.contains(p)) kept++;
            assertTrue(count(second.get(m)) >= 1 && count(second.get(m)) <= 2);
        }
        assertTrue(kept >= 4, "at most two partitions move to the new member");
        assertTrue(count(second.get("m4")) >= 1);
    }

    @Test
    void uniformGivesEachTopicOnlyToItsSubscribers() {
        var out = ServerAssignor.named("uniform")
                .assign(new TreeMap<>(Map.of("m1", Set.of(A), "m2", Set.of(A, B))), Map.of(A, 2, B, 4), Map.of());
        assertEquals(Set.of(A), out.get("m1").keySet());
        assertEquals(Set.of(0, 1, 2, 3), out.get("m2").get(B));
    }

    @Test
    void rangeCoPartitionsTopicsOfEqualSize() {
        var out = ServerAssignor.named("range")
                .assign(new TreeMap<>(Map.of("m1", Set.of(A, B), "m2", Set.of(A, B))), Map.of(A, 3, B, 3), Map.of());
        assertEquals(Set.of(0, 1), out.get("m1").get(A));
        assertEquals(Set.of(0, 1), out.get("m1").get(B));
        assertEquals(Set.of(2), out.get("m2").get(A));
        assertEquals(Set.of(2), out.get("m2").get(B));
    }
}
