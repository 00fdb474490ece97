package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.UnregisterBrokerRequestData;
import dev.skiff.protocol.message.UnregisterBrokerResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * UnregisterBroker ({@code kafka-cluster unregister}, Admin.unregisterBroker): removes a broker's registration, as
 * Kafka's controller does (it does not change partition assignments). BROKER_ID_NOT_REGISTERED for an id no broker
 * registered. In a cluster the controller gives up the broker's leaderships and ISR places, then removes it; a
 * running broker registers again at once, as Kafka's does at its next heartbeat, so only a stopped broker stays
 * unregistered (until it starts again). A single broker is registered with itself only: unregistering its own id
 * succeeds and it is registered again at once, as a one-node Kafka's is.
 *
 * <p>Versions (Kafka's UnregisterBroker schemas):
 * <ul>
 * <li>v0 (the only version): flexible; the broker id; the answer has an error code and message.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class UnregisterBrokerApi implements ApiHandler<UnregisterBrokerRequestData> {

    private final int nodeId;
    private final Controller controller;
    private final Authorizer authorizer;

    /** {@code controller} null: a single broker, {@code nodeId}. */
    UnregisterBrokerApi(int nodeId, Controller controller, Authorizer authorizer) {
        this.nodeId = nodeId;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.UNREGISTER_BROKER;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, UnregisterBrokerRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        int id = request.brokerId();
        if (controller != null) controller.unregister(id);
        else if (id != nodeId)
            throw new ApiException(Errors.BROKER_ID_NOT_REGISTERED, "Broker ID " + id + " is not currently registered");
        return CompletableFuture.completedFuture(new UnregisterBrokerResponseData());
    }
}
