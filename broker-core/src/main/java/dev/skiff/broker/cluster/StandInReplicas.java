package dev.skiff.broker.cluster;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.LeaderCheck;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STAND-IN, to be deleted when the replication branch lands: its {@code ReplicaManager} subscribes to the
 * controller instead. What this does meanwhile, and nothing more:
 * <ul>
 * <li>makes the broker's local topics follow each image (create with the controller's topic id, grow, set
 *     configs, delete); every broker keeps a log for every partition, replica or not, so the admin handlers'
 *     local lookups work unchanged;
 * <li>answers "do I lead" for Produce, Fetch and ListOffsets from the image;
 * <li>as a leader, reports every live replica whose replication is not cut as in sync (no data is copied), so
 *     a returning broker rejoins the ISR and a cut one leaves it.
 * </ul>
 * Internal topics stay local to each broker (their coordinators are another branch's work).
 */
public final class StandInReplicas implements Consumer<MetadataImage>, LeaderCheck {

    private static final Logger log = LoggerFactory.getLogger(StandInReplicas.class);

    private final int brokerId;
    private final TopicManager topics;
    private final Controller controller;
    private final ReplicationLinks links;
    private final ScheduledExecutorService executor;
    private volatile MetadataImage image;

    public StandInReplicas(
            int brokerId,
            TopicManager topics,
            Controller controller,
            ReplicationLinks links,
            ScheduledExecutorService executor) {
        this.brokerId = brokerId;
        this.topics = topics;
        this.controller = controller;
        this.links = links;
        this.executor = executor;
        executor.scheduleWithFixedDelay(this::syncIsr, 100, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public void accept(MetadataImage next) {
        image = next;
        for (Topic local : List.copyOf(topics.all())) {
            if (InternalTopics.isInternal(local.name())) continue;
            TopicImage t = next.topic(local.name());
            if (t == null || !t.id().equals(local.id())) topics.delete(local.name());
        }
        for (TopicImage t : next.topics().values()) {
            try {
                Topic local = topics.get(t.name());
                if (local == null) {
                    topics.create(t.name(), t.id(), t.partitions().size(), t.configs());
                    continue;
                }
                if (local.partitions().size() < t.partitions().size())
                    topics.addPartitions(t.name(), t.partitions().size());
                if (!local.configs().equals(t.configs())) topics.setConfigs(t.name(), t.configs());
            } catch (RuntimeException e) {
                log.warn("Broker {} cannot make the logs of topic {}: {}", brokerId, t.name(), e.toString());
            }
        }
        executor.execute(this::syncIsr);
    }

    @Override
    public Errors check(String topic, int partition) {
        MetadataImage i = image;
        PartitionRegistration r = i == null ? null : i.partition(topic, partition);
        if (r == null || r.leader() == brokerId) return Errors.NONE;
        return Errors.NOT_LEADER_OR_FOLLOWER;
    }

    /** As the leader: the ISR is every live replica not cut off (and this broker). */
    private void syncIsr() {
        MetadataImage i = image;
        if (i == null || !i.isAlive(brokerId)) return;
        for (TopicImage t : i.topics().values()) {
            for (int p = 0; p < t.partitions().size(); p++) {
                PartitionRegistration r = t.partitions().get(p);
                if (r.leader() != brokerId) continue;
                List<Integer> isr = new ArrayList<>();
                for (int b : r.replicas()) if (b == brokerId || (i.isAlive(b) && !links.isCut(b))) isr.add(b);
                if (isr.equals(r.isr())) continue;
                try {
                    controller.alterPartition(
                            brokerId, new TopicPartition(t.name(), p), r.leaderEpoch(), r.partitionEpoch(), isr);
                } catch (ApiException e) {
                    // a newer image is on its way: the next pass works from it
                    log.debug("AlterPartition of {}-{} refused: {}", t.name(), p, e.getMessage());
                }
            }
        }
    }
}
