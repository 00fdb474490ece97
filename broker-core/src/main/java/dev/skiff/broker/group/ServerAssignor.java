package dev.skiff.broker.group;

import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A server-side assignor of KIP-848 consumer groups (named by {@code group.consumer.assignors}, chosen by a
 * member's ServerAssignor): from each member's subscribed topics, the partition count of each topic and the
 * previous target, the next target assignment.
 */
interface ServerAssignor {

    String name();

    /**
     * @param subscriptions member id to the ids of the topics it subscribes to (existing topics only)
     * @param partitionCounts topic id to its number of partitions
     * @param previous the previous target of each member (for stickiness)
     * @return every member's target (a member without partitions maps to an empty map)
     */
    Map<String, Map<Uuid, Set<Integer>>> assign(
            Map<String, Set<Uuid>> subscriptions,
            Map<Uuid, Integer> partitionCounts,
            Map<String, Map<Uuid, Set<Integer>>> previous);

    static ServerAssignor named(String name) {
        return switch (name) {
            case Uniform.NAME -> new Uniform();
            case Range.NAME -> new Range();
            default -> null;
        };
    }

    private static Map<String, Map<Uuid, Set<Integer>>> empty(Map<String, Set<Uuid>> subscriptions) {
        Map<String, Map<Uuid, Set<Integer>>> out = new TreeMap<>();
        subscriptions.keySet().forEach(m -> out.put(m, new TreeMap<>(UUID_ORDER)));
        return out;
    }

    Comparator<Uuid> UUID_ORDER =
            Comparator.comparingLong(Uuid::mostSignificantBits).thenComparingLong(Uuid::leastSignificantBits);

    /**
     * Kafka's "uniform": partitions spread as evenly as the subscriptions allow, each member keeping what it had
     * where that stays balanced. Kept partitions first, then new ones to the least loaded subscriber, then moves
     * from the most to the least loaded until no member has two more than another that could take one.
     */
    final class Uniform implements ServerAssignor {
        static final String NAME = "uniform";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Map<String, Map<Uuid, Set<Integer>>> assign(
                Map<String, Set<Uuid>> subscriptions,
                Map<Uuid, Integer> partitionCounts,
                Map<String, Map<Uuid, Set<Integer>>> previous) {
            Map<String, Map<Uuid, Set<Integer>>> out = empty(subscriptions);
            Map<String, Integer> load = new TreeMap<>();
            subscriptions.keySet().forEach(m -> load.put(m, 0));
            Set<String> taken = new java.util.HashSet<>();
            // 1. stickiness: what a member had and still subscribes to
            for (String m : out.keySet()) {
                Map<Uuid, Set<Integer>> before = previous.getOrDefault(m, Map.of());
                for (Map.Entry<Uuid, Set<Integer>> e : before.entrySet()) {
                    Integer count = partitionCounts.get(e.getKey());
                    if (count == null || !subscriptions.get(m).contains(e.getKey())) continue;
                    for (int p : e.getValue()) {
                        if (p >= count || !taken.add(e.getKey() + ":" + p)) continue;
                        out.get(m)
                                .computeIfAbsent(e.getKey(), x -> new TreeSet<>())
                                .add(p);
                        load.merge(m, 1, Integer::sum);
                    }
                }
            }
            // 2. every other subscribed partition to its least loaded subscriber
            List<Uuid> topics = new ArrayList<>(partitionCounts.keySet());
            topics.sort(UUID_ORDER);
            for (Uuid t : topics) {
                List<String> subscribers = subscribersOf(subscriptions, t);
                if (subscribers.isEmpty()) continue;
                for (int p = 0; p < partitionCounts.get(t); p++) {
                    if (taken.contains(t + ":" + p)) continue;
                    String least = subscribers.get(0);
                    for (String m : subscribers) if (load.get(m) < load.get(least)) least = m;
                    out.get(least).computeIfAbsent(t, x -> new TreeSet<>()).add(p);
                    load.merge(least, 1, Integer::sum);
                }
            }
            // 3. balance: move from a member to a subscriber with at least two fewer
            boolean moved = true;
            for (int rounds = 0; moved && rounds < 100_000; rounds++) {
                moved = false;
                for (String from : load.keySet()) {
                    for (Map.Entry<Uuid, Set<Integer>> e : out.get(from).entrySet()) {
                        String to = null;
                        for (String m : subscribersOf(subscriptions, e.getKey()))
                            if (load.get(m) < load.get(from) - 1 && (to == null || load.get(m) < load.get(to))) to = m;
                        if (to == null || e.getValue().isEmpty()) continue;
                        int p = ((TreeSet<Integer>) e.getValue()).last();
                        e.getValue().remove(p);
                        out.get(to)
                                .computeIfAbsent(e.getKey(), x -> new TreeSet<>())
                                .add(p);
                        load.merge(from, -1, Integer::sum);
                        load.merge(to, 1, Integer::sum);
                        moved = true;
                        break;
                    }
                    if (moved) break;
                }
            }
            out.values().forEach(a -> a.values().removeIf(Set::isEmpty));
            return out;
        }
    }

    /**
     * Kafka's "range": for each topic, its subscribers in member-id order take consecutive ranges (the first
     * ones one more when the count does not divide), so topics with equal partition counts are co-partitioned.
     */
    final class Range implements ServerAssignor {
        static final String NAME = "range";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Map<String, Map<Uuid, Set<Integer>>> assign(
                Map<String, Set<Uuid>> subscriptions,
                Map<Uuid, Integer> partitionCounts,
                Map<String, Map<Uuid, Set<Integer>>> previous) {
            Map<String, Map<Uuid, Set<Integer>>> out = empty(subscriptions);
            for (Map.Entry<Uuid, Integer> t : partitionCounts.entrySet()) {
                List<String> subscribers = subscribersOf(subscriptions, t.getKey());
                if (subscribers.isEmpty()) continue;
                int n = subscribers.size();
                int each = t.getValue() / n;
                int extra = t.getValue() % n;
                int next = 0;
                for (int i = 0; i < n; i++) {
                    int count = each + (i < extra ? 1 : 0);
                    if (count == 0) continue;
                    Set<Integer> ps = out.get(subscribers.get(i)).computeIfAbsent(t.getKey(), x -> new TreeSet<>());
                    for (int p = next; p < next + count; p++) ps.add(p);
                    next += count;
                }
            }
            return out;
        }
    }

    private static List<String> subscribersOf(Map<String, Set<Uuid>> subscriptions, Uuid topic) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Set<Uuid>> e : new TreeMap<>(subscriptions).entrySet())
            if (e.getValue().contains(topic)) out.add(e.getKey());
        return out;
    }
}
