package dev.skiff.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** DescribeTopicPartitions' paging without sockets: cursors, limits, unknown and unauthorized topics. */
class TopicPartitionPagesTest {

    private final Map<String, Integer> sizes = new TreeMap<>(Map.of("a", 3, "b", 2, "c", 4));

    private final TopicPartitionPages.Source source = new TopicPartitionPages.Source() {
        @Override
        public Collection<String> names() {
            return sizes.keySet();
        }

        @Override
        public TopicPartitionPages.TopicState topic(String name) {
            Integer n = sizes.get(name);
            if (n == null) return null;
            List<TopicPartitionPages.PartitionState> ps = new ArrayList<>();
            for (int i = 0; i < n; i++)
                ps.add(new TopicPartitionPages.PartitionState(i, 1, 0, List.of(1), List.of(1), List.of()));
            return new TopicPartitionPages.TopicState(name, Uuid.ZERO, false, ps);
        }
    };

    private TopicPartitionPages.Page page(List<String> names, String cursor, int partition, int limit) {
        return TopicPartitionPages.page(source, names, cursor, partition, limit, n -> !n.equals("secret"));
    }

    private static String show(TopicPartitionPages.Page p) {
        StringBuilder b = new StringBuilder();
        for (TopicPartitionPages.TopicAnswer t : p.topics()) {
            b.append(t.name())
                    .append(t.error() == Errors.NONE ? "" : ":" + t.error())
                    .append('[');
            for (TopicPartitionPages.PartitionState s : t.partitions()) b.append(s.index());
            b.append("] ");
        }
        return b.append("-> ")
                .append(p.nextTopic())
                .append('/')
                .append(p.nextPartition())
                .toString();
    }

    @Test
    void allTopicsAPageAtATime() {
        assertEquals("a[012] b[01] c[0123] -> null/-1", show(page(List.of(), null, 0, 2000)));
        assertEquals("a[012] b[0] -> b/1", show(page(List.of(), null, 0, 4)));
        assertEquals("b[1] c[012] -> c/3", show(page(List.of(), "b", 1, 4)));
        assertEquals("c[3] -> null/-1", show(page(List.of(), "c", 3, 4)));
        // a topic that fills the page exactly: the next page starts at the next topic's partition 0
        assertEquals("a[012] -> b/0", show(page(List.of(), null, 0, 3)));
    }

    @Test
    void limitsAreBoundedToOneAndKafkasMaximum() {
        assertEquals("a[0] -> a/1", show(page(List.of(), null, 0, 0)));
        assertEquals("a[0] -> a/1", show(page(List.of(), null, 0, -5)));
        assertEquals("a[012] b[01] c[0123] -> null/-1", show(page(List.of(), null, 0, Integer.MAX_VALUE)));
    }

    @Test
    void namedTopicsSortedUnknownOnesAnsweredWithoutUsingTheLimit() {
        List<String> named = List.of("nope", "b", "a", "bad!", "secret", "a");
        assertEquals(
                "a[012] b[01] bad!:INVALID_TOPIC_EXCEPTION[] nope:UNKNOWN_TOPIC_OR_PARTITION[] "
                        + "secret:TOPIC_AUTHORIZATION_FAILED[] -> null/-1",
                show(page(named, null, 0, 6)));
        // a page filled exactly: the next one starts at the next name, known or not
        assertEquals("a[012] b[01] -> bad!/0", show(page(named, null, 0, 5)));
        // the page ends inside b: what sorts after it waits for the next page
        assertEquals("a[012] b[0] -> b/1", show(page(named, null, 0, 4)));
        // asked for all, unauthorized topics are left out
        sizes.put("secret", 1);
        assertEquals("a[012] b[01] c[0123] -> null/-1", show(page(List.of(), null, 0, 100)));
    }

    @Test
    void aCursorOutsideTheNamedTopicsOrANegativePartitionIsAnInvalidRequest() {
        ApiException e = assertThrows(ApiException.class, () -> page(List.of("a"), "b", 0, 10));
        assertEquals(Errors.INVALID_REQUEST, e.error());
        assertEquals(
                Errors.INVALID_REQUEST,
                assertThrows(ApiException.class, () -> page(List.of(), "a", -1, 10))
                        .error());
        // a cursor naming an unknown topic or a partition past the end is answered, not refused
        assertEquals("b[01] c[0123] -> null/-1", show(page(List.of(), "aa", 7, 10)));
        TopicPartitionPages.Page past = page(List.of(), "a", 99, 10);
        assertEquals("a[] b[01] c[0123] -> null/-1", show(past));
        assertNull(past.nextTopic());
    }
}
