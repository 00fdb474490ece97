package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeClusterRequestData;
import dev.skiff.protocol.message.DescribeClusterResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeCluster: a single broker is the cluster and its controller; in a cluster the answer lists the
 * registered brokers from the controller's image (fenced ones only when v2+ asks, marked is_fenced) and the
 * controller id (the lowest live broker).
 *
 * <p>Versions (Kafka's DescribeCluster schemas):
 * <ul>
 * <li>v0: include_cluster_authorized_operations; answers cluster id, controller and brokers.
 * <li>v1: adds endpoint_type (KIP-919).
 * <li>v2: adds include_fenced_brokers; brokers carry is_fenced (KIP-1073).
 * </ul>
 *
 * <p>Authorization (as Kafka's): none needed; the cluster's authorized operations, when asked for, are the
 * principal's.
 */
public final class DescribeClusterApi implements ApiHandler<DescribeClusterRequestData> {

    /** Endpoint types (v1+): clients asking a broker for brokers send 1. */
    private static final byte BROKER_ENDPOINT = 1;

    /**
     * The operations Kafka allows on the CLUSTER resource (AclOperation codes CREATE 5, ALTER 7, DESCRIBE 8,
     * CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12): with no authorizer, all.
     */
    private static final int CLUSTER_OPERATIONS =
            (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    private final BrokerConfig config;
    private final AdvertisedAddress address;
    private final Controller controller;

    private final Authorizer authorizer;

    DescribeClusterApi(BrokerConfig config, AdvertisedAddress address, Controller controller, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.config = config;
        this.address = address;
        this.controller = controller;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeClusterRequestData request) {
        DescribeClusterResponseData r = new DescribeClusterResponseData().setEndpointType(BROKER_ENDPOINT);
        if (ctx.apiVersion() >= 1 && request.endpointType() != BROKER_ENDPOINT) {
            return CompletableFuture.completedFuture(r.setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage(
                            "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type "
                                    + (request.endpointType() == 2 ? "CONTROLLER" : "UNKNOWN")));
        }
        r.setClusterId(config.clusterId)
                .setControllerId(config.nodeId)
                .setClusterAuthorizedOperations(
                        request.includeClusterAuthorizedOperations()
                                ? (authorizer.enabled()
                                        ? authorizer.authorizedOperations(
                                                ctx, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME)
                                        : CLUSTER_OPERATIONS)
                                : Integer.MIN_VALUE);
        if (controller != null) {
            MetadataImage image = controller.image();
            r.setControllerId(image.controllerId());
            boolean fenced = ctx.apiVersion() >= 2 && request.includeFencedBrokers();
            for (BrokerEndpoint b : image.registeredBrokers().values()) {
                boolean alive = image.isAlive(b.id());
                if (!alive && !fenced) continue;
                r.brokers()
                        .add(new DescribeClusterResponseData.DescribeClusterBroker()
                                .setBrokerId(b.id())
                                .setHost(b.host())
                                .setPort(b.port())
                                .setRack(b.rack())
                                .setIsFenced(!alive));
            }
            return CompletableFuture.completedFuture(r);
        }
        r.brokers()
                .add(new DescribeClusterResponseData.DescribeClusterBroker()
                        .setBrokerId(config.nodeId)
                        .setHost(address.host(ctx.listenerName()))
                        .setPort(address.port(ctx.listenerName()))
                        .setRack(null)
                        .setIsFenced(false));
        return CompletableFuture.completedFuture(r);
    }
}
