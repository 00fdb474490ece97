package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterPartitionReassignmentsRequestData;
import dev.skiff.protocol.message.AlterPartitionReassignmentsResponseData;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * AlterPartitionReassignments: Skiff checks each target as Kafka's controller does and accepts the one it can
 * honour at once, the replicas a partition already has (a single broker: itself), which completes with nothing to
 * move, as in Kafka. Moving replicas to other brokers is not implemented: such a target answers
 * INVALID_REPLICA_ASSIGNMENT saying so. Per partition, as Kafka: UNKNOWN_TOPIC_OR_PARTITION for a partition that
 * does not exist; cancelling (null replicas) NO_REASSIGNMENT_IN_PROGRESS, as nothing ever moves; an empty list, a
 * broker named twice or a broker that is not registered INVALID_REPLICA_ASSIGNMENT; from v1, a change of the
 * replication factor when the request does not allow it INVALID_REPLICATION_FACTOR.
 *
 * <p>Versions (Kafka's AlterPartitionReassignments schemas):
 * <ul>
 * <li>v0 (KIP-455): timeout and per partition the target replicas (null cancels). Flexible from v0.
 * <li>v1 (KIP-860): allow_replication_factor_change (default true); the answer echoes it.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class AlterPartitionReassignmentsApi implements ApiHandler<AlterPartitionReassignmentsRequestData> {

    private final int nodeId;
    private final TopicManager topics;
    private final Controller controller;
    private final Authorizer authorizer;

    AlterPartitionReassignmentsApi(int nodeId, TopicManager topics, Controller controller, Authorizer authorizer) {
        this.nodeId = nodeId;
        this.topics = topics;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterPartitionReassignmentsRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        boolean allowFactorChange = ctx.apiVersion() < 1 || request.allowReplicationFactorChange();
        MetadataImage image = controller == null ? null : controller.image();
        AlterPartitionReassignmentsResponseData response =
                new AlterPartitionReassignmentsResponseData().setAllowReplicationFactorChange(allowFactorChange);
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : request.topics()) {
            AlterPartitionReassignmentsResponseData.ReassignableTopicResponse answer =
                    new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(t.name());
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                Errors error = Errors.NONE;
                String message = null;
                try {
                    check(image, t.name(), p.partitionIndex(), p.replicas(), allowFactorChange);
                } catch (ApiException e) {
                    error = e.error();
                    message = e.getMessage();
                }
                answer.partitions()
                        .add(new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(error.code())
                                .setErrorMessage(message));
            }
            response.responses().add(answer);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void check(MetadataImage image, String topic, int partition, List<Integer> target, boolean allowChange) {
        List<Integer> current = replicas(image, topic, partition);
        if (current == null) throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        if (target == null)
            throw new ApiException(
                    Errors.NO_REASSIGNMENT_IN_PROGRESS, "No ongoing reassignment for " + topic + "-" + partition);
        if (target.isEmpty())
            throw new ApiException(
                    Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes an empty replica list.");
        Set<Integer> seen = new HashSet<>();
        for (int broker : target) {
            if (!seen.add(broker))
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes the broker " + broker + " more than once.");
            boolean registered =
                    image == null ? broker == nodeId : image.registeredBrokers().containsKey(broker);
            if (!registered)
                throw new ApiException(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + broker
                                + ", but no such broker is registered.");
        }
        if (!allowChange && target.size() != current.size())
            throw new ApiException(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "The replication factor is changed from " + current.size() + " to " + target.size());
        if (!target.equals(current))
            throw new ApiException(
                    Errors.INVALID_REPLICA_ASSIGNMENT,
                    "Skiff does not move replicas: " + topic + "-" + partition + " keeps " + current);
    }

    /** The partition's replicas, or null when it does not exist. */
    private List<Integer> replicas(MetadataImage image, String topic, int partition) {
        if (image != null) {
            PartitionRegistration r = image.partition(topic, partition);
            return r == null ? null : r.replicas();
        }
        Topic t = topics.get(topic);
        return t == null || t.partition(partition) == null ? null : List.of(nodeId);
    }
}
