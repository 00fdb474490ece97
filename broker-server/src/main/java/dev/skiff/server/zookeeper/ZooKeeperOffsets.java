package dev.skiff.server.zookeeper;

import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.OffsetBackend;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.zookeeper.data.Stat;

/**
 * OffsetCommit/OffsetFetch v0 kept where Kafka 0.8 kept them and where its high-level consumer reads and
 * writes them itself: {@code /consumers/<group>/offsets/<topic>/<partition>}, the next offset to read as
 * decimal text. As in 0.8, metadata is not kept.
 */
final class ZooKeeperOffsets implements OffsetBackend {

    private final ZkSession zk;

    ZooKeeperOffsets(ZkSession zk) {
        this.zk = zk;
    }

    @Override
    public void commit(String group, Map<TopicPartition, CommittedOffset> offsets) {
        offsets.forEach((tp, o) -> zk.writePersistent(
                KafkaZnodes.offsetPath(group, tp.topic(), tp.partition()), Long.toString(o.offset())));
    }

    @Override
    public CommittedOffset fetch(String group, TopicPartition tp) {
        if (!KafkaZnodes.isNodeName(group) || !KafkaZnodes.isNodeName(tp.topic())) return null; // could never be stored
        Stat stat = new Stat();
        byte[] data = zk.read(KafkaZnodes.offsetPath(group, tp.topic(), tp.partition()), stat);
        if (data == null) return null;
        try {
            long offset = Long.parseLong(new String(data, StandardCharsets.UTF_8).trim());
            return new CommittedOffset(offset, -1, "", stat.getMtime());
        } catch (NumberFormatException e) {
            return null; // not written by a consumer: as good as no offset
        }
    }
}
