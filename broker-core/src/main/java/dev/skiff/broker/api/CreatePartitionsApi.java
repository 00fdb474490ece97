package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreatePartitionsRequestData;
import dev.skiff.protocol.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import dev.skiff.protocol.message.CreatePartitionsResponseData;
import dev.skiff.protocol.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * CreatePartitions: grows a topic to the requested count; it can never shrink (INVALID_PARTITIONS). Internal
 * topics keep their count (INVALID_REQUEST).
 *
 * <p>Versions (Kafka's CreatePartitions schemas):
 * <ul>
 * <li>v0: per topic the new count and optional assignments, timeout_ms, validate_only.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: flexible versions.
 * <li>v3: same as v2 (THROTTLING_QUOTA_EXCEEDED may be answered, KIP-599).
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on each topic, else TOPIC_AUTHORIZATION_FAILED for it.
 */
public final class CreatePartitionsApi implements ApiHandler<CreatePartitionsRequestData> {

    private final BrokerConfig config;
    private final TopicManager topics;

    private final Controller controller;
    private final Authorizer authorizer;

    CreatePartitionsApi(BrokerConfig config, TopicManager topics, Controller controller, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.config = config;
        this.topics = topics;
        this.controller = controller;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, CreatePartitionsRequestData request) {
        // adding partitions makes files and fsyncs: off the I/O thread
        return topics.offload(() -> answer(ctx, request));
    }

    private ApiMessage answer(RequestContext ctx, CreatePartitionsRequestData request) {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        Map<String, Integer> count = new HashMap<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics())
            count.merge(t.name(), 1, Integer::sum);
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            CreatePartitionsTopicResult r = new CreatePartitionsTopicResult().setName(t.name());
            response.results().add(r);
            try {
                if (count.get(t.name()) > 1)
                    throw new AdminException(Errors.INVALID_REQUEST, "Duplicate topic in request.");
                if (!authorizer.authorize(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name()))
                    throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
                grow(t, request.validateOnly());
            } catch (AdminException e) {
                r.setErrorCode(e.error().code()).setErrorMessage(e.error().message());
            } catch (ApiException e) {
                r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
        }
        return response;
    }

    private void grow(CreatePartitionsRequestData.CreatePartitionsTopic t, boolean validateOnly) {
        Topic topic = topics.get(t.name());
        if (topic == null)
            throw new AdminException(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        if (InternalTopics.isInternal(topic.name())) {
            // groups and transactional ids are mapped to partitions by hash: a new count would lose them
            throw new AdminException(Errors.INVALID_REQUEST, "Cannot add partitions to internal topic " + topic.name());
        }
        int current = topic.partitions().size();
        if (t.count() < current)
            throw new AdminException(
                    Errors.INVALID_PARTITIONS,
                    "The topic " + t.name() + " currently has " + current + " partition(s); " + t.count()
                            + " would not be an increase.");
        if (t.count() == current)
            throw new AdminException(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partition(s).");
        List<CreatePartitionsAssignment> assignments = t.assignments();
        if (assignments != null) {
            if (assignments.size() != t.count() - current)
                throw new AdminException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Attempted to add " + (t.count() - current) + " additional partition(s), but only "
                                + assignments.size() + " assignment(s) were specified.");
            for (CreatePartitionsAssignment a : assignments) {
                if (controller != null) break; // the controller checks them against its brokers
                if (a.brokerIds().size() != 1 || a.brokerIds().get(0) != config.nodeId)
                    throw new AdminException(
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            "The manual partition assignment includes broker(s) " + a.brokerIds() + ", but only broker "
                                    + config.nodeId + " is registered.");
            }
        }
        if (validateOnly) return;
        if (controller != null) {
            List<List<Integer>> wanted = assignments == null
                    ? null
                    : assignments.stream().map(a -> List.copyOf(a.brokerIds())).toList();
            controller.createPartitions(t.name(), t.count(), wanted);
            return;
        }
        try {
            if (topics.addPartitions(t.name(), t.count()) == null)
                throw new AdminException(
                        Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        } catch (IllegalArgumentException e) {
            throw new AdminException(Errors.INVALID_PARTITIONS, e.getMessage()); // raced with another grow
        }
    }
}
