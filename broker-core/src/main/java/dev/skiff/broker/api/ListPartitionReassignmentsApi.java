package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ListPartitionReassignmentsRequestData;
import dev.skiff.protocol.message.ListPartitionReassignmentsResponseData;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * ListPartitionReassignments: Skiff never has a reassignment in progress (AlterPartitionReassignments only accepts
 * the replicas a partition already has), so every answer lists no partition, as Kafka's does for partitions that
 * are not moving, named or not, known or not. {@code kafka-reassign-partitions --list} and {@code --verify} ask it.
 *
 * <p>Versions (Kafka's ListPartitionReassignments schemas):
 * <ul>
 * <li>v0 (KIP-455): timeout and topics (null: all); answers the ongoing reassignments with replicas, adding and
 *     removing replicas. Flexible from v0.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class ListPartitionReassignmentsApi implements ApiHandler<ListPartitionReassignmentsRequestData> {

    private final Authorizer authorizer;

    ListPartitionReassignmentsApi(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListPartitionReassignmentsRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        return CompletableFuture.completedFuture(
                new ListPartitionReassignmentsResponseData().setTopics(new ArrayList<>()));
    }
}
