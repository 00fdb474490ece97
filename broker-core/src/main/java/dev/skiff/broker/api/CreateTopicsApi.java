package dev.skiff.broker.api;

import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.admin.ApiError;
import dev.skiff.broker.admin.ConfigDescriber;
import dev.skiff.broker.admin.TopicConfigChanges;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import dev.skiff.protocol.message.CreateTopicsRequestData.CreatableTopic;
import dev.skiff.protocol.message.CreateTopicsResponseData;
import dev.skiff.protocol.message.CreateTopicsResponseData.CreatableTopicConfigs;
import dev.skiff.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import dev.skiff.protocol.types.Uuid;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * CreateTopics: one broker holds every partition, so the replication factor can only be 1 (-1 takes the
 * default) and a manual assignment may name only this broker. In a cluster the controller places the replicas
 * over the live brokers or checks the assignment (unknown brokers, duplicates: INVALID_REPLICA_ASSIGNMENT). validate_only checks everything and creates
 * nothing. v5+ answers with the partition count, replication factor and every config of the topic.
 *
 * <p>Versions (Kafka's CreateTopics schemas):
 * <ul>
 * <li>v0: topics with partitions, replication factor, assignments and configs, and timeout_ms.
 * <li>v1: adds validate_only; the response adds error_message.
 * <li>v2: the response adds throttle_time_ms. v3: same as v2.
 * <li>v4: partitions and replication factor may be -1 for the broker's defaults (KIP-464).
 * <li>v5: flexible versions; the response adds partitions, replication factor and configs (KIP-525).
 * <li>v6: same as v5 (THROTTLING_QUOTA_EXCEEDED may be answered, KIP-599).
 * <li>v7: the response adds the topic id.
 * </ul>
 *
 * <p>The work runs on the topic manager's thread ({@link TopicManager#offload}), not the connection's I/O thread.
 *
 * <p>A request asking for more than 10,000 partitions in all (duplicates and topics not authorized not counted) is
 * refused whole as Kafka refuses it: POLICY_VIOLATION for every topic it names (each mention of a duplicate and
 * those not authorized included), nothing created.
 *
 * <p>Authorization (as Kafka's): CREATE on the cluster or on each topic, else TOPIC_AUTHORIZATION_FAILED for it.
 * Without DESCRIBE_CONFIGS on a topic created, v5+ answers topic_config_error_code TOPIC_AUTHORIZATION_FAILED and
 * neither its partitions, replication factor (-1) nor configs.
 */
public final class CreateTopicsApi implements ApiHandler<CreateTopicsRequestData> {

    /**
     * Kafka's controller refuses a request asking for more partitions than this in all (POLICY_VIOLATION for
     * every topic that reached it), before any other check of its topics.
     */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    private final BrokerConfig config;
    private final TopicManager topics;

    private final Controller controller;
    private final Authorizer authorizer;

    CreateTopicsApi(BrokerConfig config, TopicManager topics, Controller controller, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.config = config;
        this.topics = topics;
        this.controller = controller;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, CreateTopicsRequestData request) {
        // creating partitions makes files and fsyncs: off the I/O thread
        return topics.offload(() -> answer(ctx, request));
    }

    /** A topic checked and waiting to be created with the others of its request. */
    private record Pending(
            CreatableTopic topic, CreatableTopicResult result, int partitions, Map<String, String> configs) {}

    private ApiMessage answer(RequestContext ctx, CreateTopicsRequestData request) {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Map<String, Integer> count = new HashMap<>();
        for (CreatableTopic t : request.topics()) count.merge(t.name(), 1, Integer::sum);
        boolean onCluster = authorizer.authorizeCluster(ctx, AclOperation.CREATE);
        Set<String> duplicatesAnswered = new HashSet<>();
        Map<String, String> normalised = new HashMap<>();
        for (Topic other : topics.all()) normalised.put(normalise(other.name()), other.name());
        List<Pending> pending = new ArrayList<>();
        Set<String> denied = new HashSet<>();
        if (!onCluster)
            for (CreatableTopic t : request.topics())
                if (!authorizer.authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, t.name())) denied.add(t.name());
        if (requestedPartitions(request, count, denied) > MAX_PARTITIONS_PER_REQUEST) {
            // Kafka's controller fails the whole request, which the broker then answers for every topic it names,
            // each mention of a duplicate and those not authorized included
            for (CreatableTopic t : request.topics()) {
                CreatableTopicResult r = new CreatableTopicResult().setName(t.name());
                fail(r, ApiError.of(Errors.POLICY_VIOLATION, "Excessively large number of partitions per request."));
                response.topics().add(r);
            }
            return response;
        }
        for (CreatableTopic t : request.topics()) {
            // Kafka answers a name given more than once with one INVALID_REQUEST, not one per mention
            if (count.get(t.name()) > 1 && !duplicatesAnswered.add(t.name())) continue;
            CreatableTopicResult r = new CreatableTopicResult()
                    .setName(t.name())
                    .setTopicId(Uuid.ZERO)
                    .setNumPartitions(-1)
                    .setReplicationFactor((short) -1);
            response.topics().add(r);
            try {
                if (count.get(t.name()) > 1) throw new AdminException(Errors.INVALID_REQUEST, "Duplicate topic name.");
                if (denied.contains(t.name()))
                    throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
                Pending p = check(t, request.validateOnly(), r, normalised);
                if (p != null) pending.add(p);
                else hideConfigsUnlessDescribable(ctx, t.name(), r);
            } catch (AdminException e) {
                fail(r, e.error());
            } catch (ApiException e) {
                fail(r, ApiError.of(e.error(), e.getMessage()));
            }
        }
        if (pending.isEmpty()) return response;
        // every topic of the request at once: one sync of the data dir and one of the topics directory for all
        List<TopicManager.NewTopic> wanted = new ArrayList<>(pending.size());
        for (Pending p : pending) wanted.add(new TopicManager.NewTopic(p.topic().name(), p.partitions(), p.configs()));
        List<TopicManager.Outcome> outcomes = topics.createAll(wanted);
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            TopicManager.Outcome o = outcomes.get(i);
            if (o.error() != null) {
                fail(p.result(), ApiError.of(o.error().error(), o.error().getMessage()));
                continue;
            }
            p.result()
                    .setTopicId(o.topic().id())
                    .setNumPartitions(p.partitions())
                    .setReplicationFactor((short) 1);
            describeConfigs(p.configs(), p.result());
            hideConfigsUnlessDescribable(ctx, p.topic().name(), p.result());
        }
        return response;
    }

    /**
     * Partitions asked for by the topics that pass the duplicate and authorization checks, counted as Kafka's
     * controller counts them (-1: num.partitions; a manual assignment: its size; other non-positive counts: none),
     * in a long, which a sum of hostile counts cannot overflow.
     */
    private long requestedPartitions(CreateTopicsRequestData request, Map<String, Integer> count, Set<String> denied) {
        long total = 0;
        for (CreatableTopic t : request.topics()) {
            if (count.get(t.name()) > 1 || denied.contains(t.name())) continue;
            if (!t.assignments().isEmpty()) total += t.assignments().size();
            else if (t.numPartitions() == -1) total += config.numPartitions;
            else if (t.numPartitions() > 0) total += t.numPartitions();
        }
        return total;
    }

    private void hideConfigsUnlessDescribable(RequestContext ctx, String topic, CreatableTopicResult r) {
        if (r.errorCode() != Errors.NONE.code()) return;
        if (!authorizer.authorize(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic)) {
            // created, but Kafka shows its partitions, replication factor and configs only to whom may
            // describe its configs (DESCRIBE_CONFIGS on the topic; on the cluster is not enough)
            r.setNumPartitions(-1)
                    .setReplicationFactor((short) -1)
                    .setConfigs(new ArrayList<>())
                    .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
    }

    /**
     * Checks one topic. validate_only and a cluster's creation are answered here (null); a topic for this broker
     * is returned to be created with the rest of the request.
     */
    private Pending check(
            CreatableTopic t, boolean validateOnly, CreatableTopicResult r, Map<String, String> normalised) {
        try {
            TopicManager.validateName(t.name());
        } catch (InvalidTopicException e) {
            throw new AdminException(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (topics.get(t.name()) != null)
            throw new AdminException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + t.name() + "' already exists.");
        // Kafka refuses names that differ from an existing one only by '.' versus '_' (they clash in metric names)
        String collision = normalised.get(normalise(t.name()));
        if (collision != null && !collision.equals(t.name()))
            throw new AdminException(
                    Errors.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + t.name() + "' collides with existing topic: " + collision);
        int partitions = partitionCount(t);
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopicConfig c : t.configs())
            pairs.add(new AbstractMap.SimpleEntry<>(c.name(), c.value()));
        Map<String, String> configs = TopicConfigChanges.collect(pairs);
        TopicConfigChanges.validate(configs);
        if (controller != null) {
            createInCluster(t, partitions, configs, validateOnly, r);
            if (!validateOnly) normalised.putIfAbsent(normalise(t.name()), t.name());
            return null;
        }
        if (validateOnly) {
            r.setTopicId(Uuid.ZERO).setNumPartitions(partitions).setReplicationFactor((short) 1);
            describeConfigs(configs, r);
            return null;
        }
        // a later topic of the same request must not collide with this one
        normalised.putIfAbsent(normalise(t.name()), t.name());
        return new Pending(t, r, partitions, configs);
    }

    /**
     * A cluster: the controller places the replicas (or checks the manual assignment against its brokers) and
     * writes the topic; each broker makes its logs when the image arrives. validate_only checks the replication
     * factor against the live brokers and creates nothing.
     */
    private void createInCluster(
            CreatableTopic t,
            int partitions,
            Map<String, String> configs,
            boolean validateOnly,
            CreatableTopicResult r) {
        if (controller.image().topic(t.name()) != null)
            throw new AdminException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + t.name() + "' already exists.");
        Map<Integer, List<Integer>> assignment = null;
        if (!t.assignments().isEmpty()) {
            assignment = new java.util.TreeMap<>();
            for (CreatableReplicaAssignment a : t.assignments())
                assignment.put(a.partitionIndex(), List.copyOf(a.brokerIds()));
        }
        int rf;
        if (assignment != null) rf = assignment.get(0).size();
        else rf = t.replicationFactor() == -1 ? defaultReplicationFactor() : t.replicationFactor();
        Uuid id = Uuid.ZERO;
        if (validateOnly) {
            int live = controller.image().liveBrokers().size();
            if (assignment == null && rf > live)
                throw new AdminException(
                        Errors.INVALID_REPLICATION_FACTOR,
                        "Unable to replicate the partition " + rf + " time(s): The target replication factor of " + rf
                                + " cannot be reached because only " + live + " broker(s) are registered.");
        } else {
            id = controller
                    .createTopic(t.name(), partitions, rf, assignment, configs)
                    .id();
        }
        r.setTopicId(id).setNumPartitions(partitions).setReplicationFactor((short) rf);
        describeConfigs(configs, r);
    }

    private int defaultReplicationFactor() {
        String v = config.get("default.replication.factor");
        try {
            return v == null ? 1 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private void describeConfigs(Map<String, String> configs, CreatableTopicResult r) {
        for (ConfigDescriber.Described d : new ConfigDescriber(config).topic(configs)) {
            r.configs()
                    .add(new CreatableTopicConfigs()
                            .setName(d.name())
                            .setValue(d.value())
                            .setReadOnly(d.readOnly())
                            .setConfigSource(d.source())
                            .setIsSensitive(false));
        }
    }

    /** Partitions from num_partitions (-1: num.partitions) or from the manual assignment. */
    private int partitionCount(CreatableTopic t) {
        if (!t.assignments().isEmpty()) {
            if (t.numPartitions() != -1 || t.replicationFactor() != -1)
                throw new AdminException(
                        Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            List<CreatableReplicaAssignment> as = t.assignments();
            boolean[] seen = new boolean[as.size()];
            for (CreatableReplicaAssignment a : as) {
                int i = a.partitionIndex();
                if (i < 0 || i >= as.size() || seen[i])
                    throw new AdminException(
                            Errors.INVALID_REPLICA_ASSIGNMENT,
                            "Partitions should be a consecutive 0-based integer sequence");
                seen[i] = true;
                if (controller == null) checkReplicas(a.brokerIds());
            }
            return as.size();
        }
        if (t.numPartitions() == 0 || t.numPartitions() < -1)
            throw new AdminException(
                    Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.");
        if (t.replicationFactor() == 0 || t.replicationFactor() < -1)
            throw new AdminException(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        if (t.replicationFactor() > 1 && controller == null)
            throw new AdminException(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "Unable to replicate the partition " + t.replicationFactor()
                            + " time(s): The target replication factor of " + t.replicationFactor()
                            + " cannot be reached because only 1 broker(s) are registered.");
        return t.numPartitions() == -1 ? config.numPartitions : t.numPartitions();
    }

    private void checkReplicas(List<Integer> brokerIds) {
        if (brokerIds.isEmpty())
            throw new AdminException(
                    Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes an empty replica list.");
        for (int id : brokerIds) {
            if (id != config.nodeId)
                throw new AdminException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + id
                                + ", but no such broker is registered.");
        }
        if (brokerIds.size() > 1)
            throw new AdminException(
                    Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes the broker " + brokerIds.get(0) + " more than once.");
    }

    private static String normalise(String name) {
        return name.replace('.', '_');
    }

    private static void fail(CreatableTopicResult r, ApiError e) {
        r.setErrorCode(e.code())
                .setErrorMessage(e.message())
                .setTopicId(Uuid.ZERO)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1)
                .setConfigs(new ArrayList<>());
    }
}
