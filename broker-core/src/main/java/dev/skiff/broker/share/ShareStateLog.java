package dev.skiff.broker.share;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.internal.records.ShareSnapshotKeyData;
import dev.skiff.broker.internal.records.ShareSnapshotValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.ProtocolReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-partition state that survives a restart, in the compacted internal topic {@code __share_group_state}:
 * one ShareSnapshot record (Kafka's share-coordinator key and value schemas; the key's record type 0) per
 * change, keyed by group, topic id and partition; the latest one is the state, a tombstone deletes it. Written
 * first, then applied through the same {@link #apply} that replays the topic at start. Kafka's share
 * coordinator also writes ShareUpdate deltas between snapshots; Skiff always writes whole snapshots (a window
 * is at most group.share.partition.max.record.locks offsets), so it writes and reads only ShareSnapshot.
 * Not final only so that tests can hold a write back.
 */
public class ShareStateLog {

    private static final Logger log = LoggerFactory.getLogger(ShareStateLog.class);

    static final String TOPIC = InternalTopics.SHARE_GROUP_STATE;
    /** Kafka's record type of ShareSnapshot keys (ShareUpdate is 1). */
    private static final short SNAPSHOT_KEY = 0;

    private final InternalTopicLog topic;
    private final Map<SharePartitionKey, ShareSnapshotValueData> states = new ConcurrentHashMap<>();

    ShareStateLog(TopicManager topics, BrokerConfig config, ShareConfig share) {
        this.topic = new InternalTopicLog(topics, TOPIC, share.stateTopicPartitions(), config.messageMaxBytes);
    }

    /** Reads the topic at start. */
    void load() {
        topic.replay(this::apply);
        if (!states.isEmpty()) log.info("Loaded the state of {} share partition(s)", states.size());
    }

    /** The latest state of a share partition, or null when it has none. */
    ShareSnapshotValueData state(SharePartitionKey key) {
        return states.get(key);
    }

    /** Every share partition with a state. */
    Map<SharePartitionKey, ShareSnapshotValueData> all() {
        return states;
    }

    /** Writes a snapshot (null: deletes the state), then applies it; an ApiException if the write failed. */
    void write(SharePartitionKey key, ShareSnapshotValueData value) {
        byte[] k = InternalTopicLog.serialize(
                SNAPSHOT_KEY,
                (short) 0,
                new ShareSnapshotKeyData()
                        .setGroupId(key.groupId())
                        .setTopicId(key.topicId())
                        .setPartition(key.partition()));
        byte[] v = value == null ? null : InternalTopicLog.serialize((short) 0, value);
        try {
            topic.append(key.coordinatorKey(), List.of(new InternalTopicLog.Entry(k, v)));
        } catch (ApiException e) {
            throw InternalTopicLog.coordinatorError(e, Errors.UNKNOWN_SERVER_ERROR);
        }
        apply(k, v);
    }

    /** The one place state changes: at start for every record replayed, live after every write. */
    void apply(byte[] key, byte[] value) {
        ProtocolReader kr = InternalTopicLog.reader(key);
        short type = kr.readInt16();
        if (type != SNAPSHOT_KEY) throw new IllegalStateException("unknown share state record type " + type);
        ShareSnapshotKeyData k = new ShareSnapshotKeyData(kr, (short) 0);
        SharePartitionKey id = new SharePartitionKey(k.groupId(), k.topicId(), k.partition());
        if (value == null) {
            states.remove(id);
            return;
        }
        ProtocolReader vr = InternalTopicLog.reader(value);
        short version = vr.readInt16();
        if (version != 0) throw new IllegalStateException("unknown share snapshot version " + version);
        states.put(id, new ShareSnapshotValueData(vr, version));
    }
}
