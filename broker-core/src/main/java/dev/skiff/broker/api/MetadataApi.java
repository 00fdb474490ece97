package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
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
 * Metadata: this broker is the whole cluster, the controller and the leader of every partition. Topics that
 * don't exist are created when auto-creation is on and the request allows it (v4+; always before).
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
    private final Authorizer authorizer;

    MetadataApi(BrokerConfig config, AdvertisedAddress address, TopicManager topics, Authorizer authorizer) {
        this.config = config;
        this.address = address;
        this.topics = topics;
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
                if (c != null && rt.name() != null && topics.get(rt.name()) == null) {
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
        return CompletableFuture.completedFuture(r);
    }

    /**
     * TOPIC_AUTHORIZATION_FAILED for a named topic the principal may not describe, without saying whether it
     * exists (as Kafka); by id, an unknown id stays UNKNOWN_TOPIC_ID and a known one unauthorized has no name.
     */
    private MetadataResponseData.MetadataResponseTopic unauthorized(
            RequestContext ctx, MetadataRequestData.MetadataRequestTopic rt) {
        if (!authorizer.enabled()) return null;
        String name = rt.name();
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
        String name = rt.name();
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
}
