package dev.skiff.broker.api;

import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.Topic;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * KIP-951's hints for one answer, as Kafka gives them: a partition answered NOT_LEADER_OR_FOLLOWER (and, where
 * the API fences epochs, FENCED_LEADER_EPOCH) carries its leader's id and epoch, and the answer lists the
 * endpoints of those leaders, so that the client goes there at once instead of asking for metadata first.
 * Nothing on a single broker, which leads everything.
 */
final class LeaderHints {

    private final Partitions partitions;
    private final boolean fencedToo;
    private final Map<Integer, LeaderHint> leaders = new TreeMap<>();

    /** {@code fencedToo}: FENCED_LEADER_EPOCH gets a hint too (Fetch, ShareFetch, ShareAcknowledge; not Produce). */
    LeaderHints(Partitions partitions, boolean fencedToo) {
        this.partitions = partitions;
        this.fencedToo = fencedToo;
    }

    /** The hint due for a partition answered {@code errorCode}, or null; its leader's endpoint is kept. */
    LeaderHint forAnswer(short errorCode, String topic, int partition) {
        boolean due = errorCode == Errors.NOT_LEADER_OR_FOLLOWER.code()
                || (fencedToo && errorCode == Errors.FENCED_LEADER_EPOCH.code());
        if (!due || topic == null) return null;
        LeaderHint h = partitions.leaderHint(topic, partition);
        if (h != null && h.hasEndpoint()) leaders.putIfAbsent(h.leaderId(), h);
        return h;
    }

    /** As above for a topic named by its id. */
    LeaderHint forAnswer(short errorCode, Uuid topicId, int partition) {
        Topic t = topicId == null ? null : partitions.topic(topicId);
        return forAnswer(errorCode, t == null ? null : t.name(), partition);
    }

    /** The leaders the hints named that are alive, each once, by id: the answer's node_endpoints. */
    Collection<LeaderHint> endpoints() {
        return leaders.values();
    }
}
