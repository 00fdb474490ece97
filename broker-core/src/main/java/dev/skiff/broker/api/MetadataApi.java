package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Metadata: a single broker is the whole cluster, the controller and the leader of every partition. In a
 * cluster the answer comes from the controller's last image: the live brokers, the controller (lowest live
 * id), and per partition its leader (LEADER_NOT_AVAILABLE when none), leader epoch, replicas, ISR and offline
 * replicas; the internal topics, which each broker keeps for itself, are answered as a single broker does.
 * Topics that don't exist are created (through the controller in a cluster) when auto-creation is on and the
 * request allows it (v4+; always before).
 *
 * <p>Versions (Kafka's Metadata schemas):
 * <ul>
 * <li>v0: topic names (empty: all); answers brokers, topics and partitions.
 * <li>v1: null topics means all and empty none; brokers carry rack; the response adds controller_id and
 *     is_internal.
 * <li>v2: the response adds cluster_id.
 * <li>v3: the response adds throttle_time_ms.
 * <li>v4: adds allow_auto_topic_creation.
 * <li>v5: partitions carry offline_replicas. v6: same as v5.
 * <li>v7: partitions carry leader_epoch.
 * <li>v8: authorized operations may be asked for.
 * <li>v9: flexible versions.
 * <li>v10: topics carry topic_id. v11: cluster authorized operations are dropped (KIP-700).
 * <li>v12: topics may be asked for by id.
 * <li>v13: the response adds a top-level error_code.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each topic; listing all leaves out the others, naming one answers
 * TOPIC_AUTHORIZATION_FAILED for it; auto-creation needs CREATE on the cluster or the topic. v8+ may ask for
 * each topic's authorized operations (and v8-10 the cluster's).
 */
public final class MetadataApi implements ApiHandler<MetadataRequestData> {

    private final BrokerConfig config;
    private final AdvertisedAddress address;
    private final TopicManager topics;
    private final Controller controller;
    private final Authorizer authorizer;

    MetadataApi(
            BrokerConfig config,
            AdvertisedAddress address,
            TopicManager topics,
            Controller controller,
            Authorizer authorizer) {
        this.config = config;
        this.address = address;
        this.topics = topics;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, MetadataRequestData request) {
        short v = ctx.apiVersion();
        if (v < 12 && request.topics() != null) {
            // as Kafka: before v12 a topic is named, never asked for by id (the answer could not name it)
            for (MetadataRequestData.MetadataRequestTopic rt : request.topics()) {
                if (rt.name() == null || (rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO))) {
                    throw new ApiException(
                            Errors.INVALID_REQUEST, "Metadata v" + v + " topics need a name and no topic id");
                }
            }
        }
        if (controller != null)
            return CompletableFuture.completedFuture(
                    withOperations(ctx, v, request, cluster(ctx, v, request, controller.image())));
        MetadataResponseData r =
                new MetadataResponseData().setClusterId(config.clusterId).setControllerId(config.nodeId);
        r.brokers()
                .add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(config.nodeId)
                        .setHost(address.host(ctx.listenerName()))
                        .setPort(address.port(ctx.listenerName())));
        // v0: an empty list means all topics; v1+: null means all, empty means none.
        boolean all = request.topics() == null || (v == 0 && request.topics().isEmpty());
        if (all) {
            // as Kafka: topics the principal may not describe are left out, not reported
            for (Topic t : topics.all())
                if (authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                    r.topics().add(describe(t));
        } else {
            // null: no auto-creation; else one per request, which bounds the topics this request creates
            TopicManager.AutoCreation creation =
                    v < 4 || request.allowAutoTopicCreation() ? topics.autoCreation() : null;
            Boolean createOnCluster = null;
            for (MetadataRequestData.MetadataRequestTopic rt : request.topics()) {
                MetadataResponseData.MetadataResponseTopic denied = unauthorized(ctx, rt);
                if (denied != null) {
                    r.topics().add(denied);
                    continue;
                }
                TopicManager.AutoCreation c = creation;
                if (c != null && !byIdOnly(rt) && rt.name() != null && topics.get(rt.name()) == null) {
                    // auto-creation needs CREATE on the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED
                    if (createOnCluster == null)
                        createOnCluster = authorizer.authorizeCluster(ctx, AclOperation.CREATE);
                    if (!createOnCluster
                            && !authorizer.authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, rt.name())
                            && config.autoCreateTopics) {
                        r.topics().add(error(rt.name(), Uuid.ZERO, Errors.TOPIC_AUTHORIZATION_FAILED));
                        continue;
                    }
                }
                r.topics().add(lookup(rt, c, topics));
            }
        }
        return CompletableFuture.completedFuture(withOperations(ctx, v, request, r));
    }

    /** The authorized operations the request asked for, on each topic found and on the cluster. */
    private MetadataResponseData withOperations(
            RequestContext ctx, short v, MetadataRequestData request, MetadataResponseData r) {
        if (request.includeTopicAuthorizedOperations()) {
            // as Kafka: every topic the principal may describe has them, also one that does not exist (or was
            // just auto-created); those refused (TOPIC_AUTHORIZATION_FAILED) keep the "not asked" value
            for (MetadataResponseData.MetadataResponseTopic t : r.topics())
                if (t.name() != null && t.errorCode() != Errors.TOPIC_AUTHORIZATION_FAILED.code())
                    t.setTopicAuthorizedOperations(authorizer.authorizedOperations(ctx, ResourceType.TOPIC, t.name()));
        }
        if (v >= 8 && v <= 10 && request.includeClusterAuthorizedOperations())
            r.setClusterAuthorizedOperations(
                    authorizer.authorizedOperations(ctx, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME));
        return r;
    }

    /**
     * TOPIC_AUTHORIZATION_FAILED for a named topic the principal may not describe, without saying whether it
     * exists (as Kafka); by id, an unknown id stays UNKNOWN_TOPIC_ID and a known one unauthorized has no name.
     */
    private MetadataResponseData.MetadataResponseTopic unauthorized(
            RequestContext ctx, MetadataRequestData.MetadataRequestTopic rt) {
        if (!authorizer.enabled()) return null;
        String name = byIdOnly(rt) ? null : rt.name();
        if (name == null && rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO)) {
            Topic t = topics.get(rt.topicId());
            if (t == null || authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                return null;
            return error(null, rt.topicId(), Errors.TOPIC_AUTHORIZATION_FAILED);
        }
        if (name == null || authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) return null;
        return error(name, Uuid.ZERO, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    private MetadataResponseData.MetadataResponseTopic lookup(
            MetadataRequestData.MetadataRequestTopic rt, TopicManager.AutoCreation creation, TopicManager topics) {
        String name = byIdOnly(rt) ? null : rt.name();
        if (name == null && rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO)) {
            Topic t = topics.get(rt.topicId());
            return t != null ? describe(t) : error(null, rt.topicId(), Errors.UNKNOWN_TOPIC_ID);
        }
        try {
            TopicManager.validateName(name);
        } catch (InvalidTopicException e) {
            return error(name, Uuid.ZERO, Errors.INVALID_TOPIC_EXCEPTION);
        }
        Topic t;
        try {
            t = creation != null ? creation.getOrCreate(name) : topics.get(name);
        } catch (ApiException e) {
            return error(name, Uuid.ZERO, e.error());
        }
        return t != null ? describe(t) : error(name, Uuid.ZERO, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /** Asked for by topic id: kafka-clients 4.x's consumer sends an empty name beside the id. */
    private static boolean byIdOnly(MetadataRequestData.MetadataRequestTopic rt) {
        return (rt.name() == null || rt.name().isEmpty())
                && rt.topicId() != null
                && !rt.topicId().equals(Uuid.ZERO);
    }

    private static MetadataResponseData.MetadataResponseTopic error(String name, Uuid id, Errors e) {
        return new MetadataResponseData.MetadataResponseTopic()
                .setName(name)
                .setTopicId(id)
                .setErrorCode(e.code());
    }

    private MetadataResponseData.MetadataResponseTopic describe(Topic t) {
        MetadataResponseData.MetadataResponseTopic mt = new MetadataResponseData.MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(t.id())
                .setIsInternal(t.internal());
        List<Integer> self = List.of(config.nodeId);
        for (int i = 0; i < t.partitions().size(); i++) {
            mt.partitions()
                    .add(new MetadataResponseData.MetadataResponsePartition()
                            .setPartitionIndex(i)
                            .setLeaderId(config.nodeId)
                            .setLeaderEpoch(0)
                            .setReplicaNodes(new ArrayList<>(self))
                            .setIsrNodes(new ArrayList<>(self)));
        }
        return mt;
    }

    // ---- a cluster: the controller's image

    private MetadataResponseData cluster(
            RequestContext ctx, short v, MetadataRequestData request, MetadataImage image) {
        MetadataResponseData r =
                new MetadataResponseData().setClusterId(config.clusterId).setControllerId(image.controllerId());
        for (int id : image.liveBrokers()) {
            BrokerEndpoint b = image.registeredBrokers().get(id);
            if (b == null) continue;
            r.brokers()
                    .add(new MetadataResponseData.MetadataResponseBroker()
                            .setNodeId(id)
                            .setHost(b.host())
                            .setPort(b.port())
                            .setRack(b.rack()));
        }
        boolean all = request.topics() == null || (v == 0 && request.topics().isEmpty());
        if (all) {
            // as Kafka: topics the principal may not describe are left out, not reported
            for (TopicImage t : image.topics().values())
                if (authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                    r.topics().add(describe(v, t, image));
            // internal topics the controller does not know yet (a broker's own, before any coordinator was asked)
            for (Topic t : topics.all())
                if (InternalTopics.isInternal(t.name())
                        && image.topic(t.name()) == null
                        && authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                    r.topics().add(describe(t));
            return r;
        }
        boolean autoCreate = config.autoCreateTopics && (v < 4 || request.allowAutoTopicCreation());
        int created = 0;
        for (MetadataRequestData.MetadataRequestTopic rt : request.topics()) {
            MetadataResponseData.MetadataResponseTopic denied = unauthorized(ctx, rt);
            if (denied != null) {
                r.topics().add(denied);
                continue;
            }
            String name = byIdOnly(rt) ? null : rt.name();
            if (name == null && rt.topicId() != null && !rt.topicId().equals(Uuid.ZERO)) {
                TopicImage t = image.topic(rt.topicId());
                r.topics().add(t != null ? describe(v, t, image) : error(null, rt.topicId(), Errors.UNKNOWN_TOPIC_ID));
                continue;
            }
            try {
                TopicManager.validateName(name);
            } catch (InvalidTopicException e) {
                r.topics().add(error(name, Uuid.ZERO, Errors.INVALID_TOPIC_EXCEPTION));
                continue;
            }
            if (InternalTopics.isInternal(name) && image.topic(name) == null) {
                Topic local = topics.get(name);
                r.topics()
                        .add(
                                local != null
                                        ? describe(local)
                                        : error(name, Uuid.ZERO, Errors.UNKNOWN_TOPIC_OR_PARTITION));
                continue;
            }
            TopicImage t = image.topic(name);
            if (t == null
                    && autoCreate
                    && !authorizer.authorizeCluster(ctx, AclOperation.CREATE)
                    && !authorizer.authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, name)) {
                // auto-creation needs CREATE on the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED
                r.topics().add(error(name, Uuid.ZERO, Errors.TOPIC_AUTHORIZATION_FAILED));
                continue;
            }
            if (t == null && autoCreate) {
                try {
                    if (created >= config.autoCreateTopicsPerRequestMax)
                        throw new ApiException(
                                Errors.THROTTLING_QUOTA_EXCEEDED,
                                "A request may auto-create at most " + config.autoCreateTopicsPerRequestMax
                                        + " topics (skiff.auto.create.topics.per.request.max)");
                    if (partitionCount(image) + config.numPartitions > config.autoCreatePartitionsMax)
                        throw new ApiException(
                                Errors.POLICY_VIOLATION,
                                "Auto-creation stops at " + config.autoCreatePartitionsMax
                                        + " partitions (skiff.auto.create.partitions.max)");
                    t = controller.createTopic(name, config.numPartitions, -1, null, java.util.Map.of());
                    created++;
                    image = controller.image();
                } catch (ApiException e) {
                    t = controller.image().topic(name); // created meanwhile by another request
                    if (t == null) {
                        r.topics().add(error(name, Uuid.ZERO, e.error()));
                        continue;
                    }
                }
            }
            r.topics()
                    .add(t != null ? describe(v, t, image) : error(name, Uuid.ZERO, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        return r;
    }

    private static int partitionCount(MetadataImage image) {
        int n = 0;
        for (TopicImage t : image.topics().values()) n += t.partitions().size();
        return n;
    }

    /**
     * A topic as the controller's image has it. As Kafka: a partition whose leader is not alive answers
     * LEADER_NOT_AVAILABLE; v0 lists only live brokers among replicas and ISR (a v0 client looks every id up in
     * the broker list and fails on one it does not find) and says REPLICA_NOT_AVAILABLE when some were left out.
     */
    private static MetadataResponseData.MetadataResponseTopic describe(short v, TopicImage t, MetadataImage image) {
        MetadataResponseData.MetadataResponseTopic mt = new MetadataResponseData.MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(t.id())
                .setIsInternal(InternalTopics.isInternal(t.name()));
        for (int i = 0; i < t.partitions().size(); i++) {
            PartitionRegistration p = t.partitions().get(i);
            boolean led = p.hasLeader() && image.isAlive(p.leader());
            List<Integer> replicas = new ArrayList<>(p.replicas());
            List<Integer> isr = new ArrayList<>(p.isr());
            Errors error = led ? Errors.NONE : Errors.LEADER_NOT_AVAILABLE;
            if (v == 0) {
                int before = replicas.size() + isr.size();
                replicas.removeIf(id -> !image.isAlive(id));
                isr.removeIf(id -> !image.isAlive(id));
                if (led && replicas.size() + isr.size() < before) error = Errors.REPLICA_NOT_AVAILABLE;
            }
            mt.partitions()
                    .add(new MetadataResponseData.MetadataResponsePartition()
                            .setErrorCode(error.code())
                            .setPartitionIndex(i)
                            .setLeaderId(led ? p.leader() : PartitionRegistration.NO_LEADER)
                            .setLeaderEpoch(p.leaderEpoch())
                            .setReplicaNodes(replicas)
                            .setIsrNodes(isr)
                            .setOfflineReplicas(new ArrayList<>(p.offlineReplicas(image.liveBrokers()))));
        }
        return mt;
    }
}
