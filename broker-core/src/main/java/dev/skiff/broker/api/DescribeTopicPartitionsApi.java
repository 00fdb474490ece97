package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.TopicPartitionPages;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeTopicPartitionsRequestData;
import dev.skiff.protocol.message.DescribeTopicPartitionsResponseData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTopicPartitions (KIP-966): topics and their partitions a page at a time, what kafka-clients 4.x's
 * Admin.describeTopics asks for when the broker offers it. The paging is {@link TopicPartitionPages}'; the
 * partitions come from the controller's image in a cluster (leader -1 when it is not alive, offline replicas on
 * dead brokers) and from the broker itself alone (it leads everything at epoch 0), as Metadata answers. Skiff
 * keeps no eligible leader replicas (ELR): both ELR lists are empty, as Kafka's are while the ISR is full.
 *
 * <p>Versions (Kafka's DescribeTopicPartitions schemas):
 * <ul>
 * <li>v0: topics by name (none: all), response_partition_limit (at most Kafka's 2000), cursor; answers per
 *     topic error, id, internal flag, authorized operations and per partition leader, leader epoch, replicas,
 *     ISR, eligible and last known eligible leader replicas and offline replicas, and next_cursor.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each topic; asking for all leaves out the others, naming one answers
 * TOPIC_AUTHORIZATION_FAILED for it. Every other topic answered carries its authorized operations.
 */
public final class DescribeTopicPartitionsApi implements ApiHandler<DescribeTopicPartitionsRequestData> {

    private final BrokerConfig config;
    private final TopicManager topics;
    private final Controller controller;
    private final Authorizer authorizer;

    DescribeTopicPartitionsApi(BrokerConfig config, TopicManager topics, Controller controller, Authorizer authorizer) {
        this.config = config;
        this.topics = topics;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeTopicPartitionsRequestData request) {
        List<String> names = new ArrayList<>(request.topics().size());
        for (DescribeTopicPartitionsRequestData.TopicRequest t : request.topics()) names.add(t.name());
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        TopicPartitionPages.Page page = TopicPartitionPages.page(
                controller != null ? cluster(controller.image()) : single(),
                names,
                cursor == null ? null : cursor.topicName(),
                cursor == null ? 0 : cursor.partitionIndex(),
                request.responsePartitionLimit(),
                name -> authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name));
        DescribeTopicPartitionsResponseData r = new DescribeTopicPartitionsResponseData();
        for (TopicPartitionPages.TopicAnswer t : page.topics()) {
            DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic rt =
                    new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic()
                            .setErrorCode(t.error().code())
                            .setName(t.name())
                            .setTopicId(t.id())
                            .setIsInternal(t.internal());
            if (t.error() != Errors.TOPIC_AUTHORIZATION_FAILED)
                rt.setTopicAuthorizedOperations(authorizer.authorizedOperations(ctx, ResourceType.TOPIC, t.name()));
            for (TopicPartitionPages.PartitionState p : t.partitions())
                rt.partitions()
                        .add(new DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition()
                                .setPartitionIndex(p.index())
                                .setLeaderId(p.leader())
                                .setLeaderEpoch(p.leaderEpoch())
                                .setReplicaNodes(new ArrayList<>(p.replicas()))
                                .setIsrNodes(new ArrayList<>(p.isr()))
                                .setEligibleLeaderReplicas(new ArrayList<>())
                                .setLastKnownElr(new ArrayList<>())
                                .setOfflineReplicas(new ArrayList<>(p.offline())));
            r.topics().add(rt);
        }
        if (page.nextTopic() != null)
            r.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor()
                    .setTopicName(page.nextTopic())
                    .setPartitionIndex(page.nextPartition()));
        return CompletableFuture.completedFuture(r);
    }

    /** A single broker: its own topics, each partition led by it at epoch 0. */
    private TopicPartitionPages.Source single() {
        return new TopicPartitionPages.Source() {
            @Override
            public Collection<String> names() {
                List<String> out = new ArrayList<>();
                for (Topic t : topics.all()) out.add(t.name());
                return out;
            }

            @Override
            public TopicPartitionPages.TopicState topic(String name) {
                Topic t = topics.get(name);
                return t == null ? null : local(t);
            }
        };
    }

    private TopicPartitionPages.TopicState local(Topic t) {
        List<Integer> self = List.of(config.nodeId);
        List<TopicPartitionPages.PartitionState> ps =
                new ArrayList<>(t.partitions().size());
        for (int i = 0; i < t.partitions().size(); i++)
            ps.add(new TopicPartitionPages.PartitionState(i, config.nodeId, 0, self, self, List.of()));
        return new TopicPartitionPages.TopicState(t.name(), t.id(), t.internal(), ps);
    }

    /** A cluster: the controller's image, plus the internal topics each broker keeps for itself. */
    private TopicPartitionPages.Source cluster(MetadataImage image) {
        return new TopicPartitionPages.Source() {
            @Override
            public Collection<String> names() {
                Set<String> out = new LinkedHashSet<>(image.topics().keySet());
                for (Topic t : topics.all()) if (InternalTopics.isInternal(t.name())) out.add(t.name());
                return out;
            }

            @Override
            public TopicPartitionPages.TopicState topic(String name) {
                TopicImage t = image.topic(name);
                if (t == null) {
                    Topic local = InternalTopics.isInternal(name) ? topics.get(name) : null;
                    return local == null ? null : local(local);
                }
                List<TopicPartitionPages.PartitionState> ps =
                        new ArrayList<>(t.partitions().size());
                for (int i = 0; i < t.partitions().size(); i++) {
                    PartitionRegistration p = t.partitions().get(i);
                    boolean led = p.hasLeader() && image.isAlive(p.leader());
                    ps.add(new TopicPartitionPages.PartitionState(
                            i,
                            led ? p.leader() : PartitionRegistration.NO_LEADER,
                            p.leaderEpoch(),
                            p.replicas(),
                            p.isr(),
                            p.offlineReplicas(image.liveBrokers())));
                }
                return new TopicPartitionPages.TopicState(t.name(), t.id(), InternalTopics.isInternal(t.name()), ps);
            }
        };
    }
}
