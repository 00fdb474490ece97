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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** Kafka's controller writes at most this many records for one request (its MAX_RECORDS_PER_USER_OP). */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    /**
     * Kafka's replica placer lists every new partition of a topic before any bound is checked: past about this
     * many (its default 1 GiB heap) it runs out of memory and the whole request fails; Integer.MAX_VALUE always
     * does. Skiff answers the same without trying. Topics given their assignments are not placed.
     */
    static final int MAX_PLACEABLE_PER_TOPIC = 1 << 24;

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
        Map<String, Integer> count = new HashMap<>();
        Map<String, CreatePartitionsRequestData.CreatePartitionsTopic> byName = new HashMap<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            count.merge(t.name(), 1, Integer::sum);
            byName.putIfAbsent(t.name(), t);
        }
        // Kafka's broker puts the names in a HashSet, drops the duplicates and hands the rest to its controller in
        // that set's order, which decides which topic passes the request's bound on new partitions
        Set<String> kafkaOrder = new HashSet<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) kafkaOrder.add(t.name());
        kafkaOrder.removeIf(n -> count.get(n) > 1);
        Map<String, RuntimeException> failed = new HashMap<>();
        List<CreatePartitionsRequestData.CreatePartitionsTopic> accepted = new ArrayList<>();
        int granted = 0;
        for (String name : kafkaOrder) {
            CreatePartitionsRequestData.CreatePartitionsTopic t = byName.get(name);
            try {
                if (!authorizer.authorize(ctx, AclOperation.ALTER, ResourceType.TOPIC, name))
                    throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
                int adding = check(t);
                // checked before anything is allocated per new partition
                if (t.assignments() == null && adding > MAX_PLACEABLE_PER_TOPIC) return failedWhole(request);
                if (adding > MAX_PARTITIONS_PER_REQUEST - granted) {
                    // Kafka's controller fills its bounded list of records and fails this topic, and so every
                    // later one that adds a partition
                    granted = MAX_PARTITIONS_PER_REQUEST;
                    throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, null);
                }
                granted += adding;
                accepted.add(t);
            } catch (AdminException | ApiException e) {
                failed.put(name, e);
            }
        }
        if (!request.validateOnly())
            for (CreatePartitionsRequestData.CreatePartitionsTopic t : accepted) {
                try {
                    grow(t);
                } catch (AdminException | ApiException e) {
                    failed.put(t.name(), e);
                }
            }
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        Set<String> answeredDuplicates = new HashSet<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            boolean duplicate = count.get(t.name()) > 1;
            if (duplicate && !answeredDuplicates.add(t.name())) continue; // Kafka answers a name given twice once
            CreatePartitionsTopicResult r = new CreatePartitionsTopicResult().setName(t.name());
            response.results().add(r);
            RuntimeException e = duplicate
                    ? new AdminException(Errors.INVALID_REQUEST, "Duplicate topic name.")
                    : failed.get(t.name());
            if (e instanceof AdminException a)
                r.setErrorCode(a.error().error().code())
                        .setErrorMessage(a.error().message());
            else if (e instanceof ApiException a)
                r.setErrorCode(a.error().code()).setErrorMessage(a.getMessage());
        }
        return response;
    }

    /** Kafka's answer when its replica placer runs out of memory: the whole request fails, every mention. */
    private static ApiMessage failedWhole(CreatePartitionsRequestData request) {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics())
            response.results()
                    .add(new CreatePartitionsTopicResult()
                            .setName(t.name())
                            .setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code())
                            .setErrorMessage(null));
        return response;
    }

    /** Checks a growth without making it; answers how many partitions it adds. */
    private int check(CreatePartitionsRequestData.CreatePartitionsTopic t) {
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
        return t.count() - current;
    }

    private void grow(CreatePartitionsRequestData.CreatePartitionsTopic t) {
        List<CreatePartitionsAssignment> assignments = t.assignments();
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
