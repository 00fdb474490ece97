package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ListConfigResourcesRequestData;
import dev.skiff.protocol.message.ListConfigResourcesResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * ListConfigResources (formerly ListClientMetricsResources): the resources that carry configs. Skiff keeps no
 * client-metrics resources (what clients are asked to push is the broker property {@code skiff.telemetry.metrics}),
 * so {@code kafka-client-metrics --list} and v0 list none; v1 lists topics, brokers and the groups that carry
 * configs (as Kafka: every group configured since the first start, even with no keys left).
 *
 * <p>Versions (Kafka's ListConfigResources schemas):
 * <ul>
 * <li>v0 (KIP-714, as ListClientMetricsResources): the client-metrics resources. Flexible from v0.
 * <li>v1 (KIP-1142): resource_types to list (empty: topics, brokers, groups and client metrics); each resource
 *     answered with its type. A type that carries no configs (anything but 2 topic, 4 broker, 8 broker logger,
 *     16 client metrics, 32 group) is UNSUPPORTED_VERSION, as in Kafka 4.1.1.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class ListConfigResourcesApi implements ApiHandler<ListConfigResourcesRequestData> {

    private static final byte TOPIC = 2;
    private static final byte BROKER = 4;
    private static final byte BROKER_LOGGER = 8;
    private static final byte CLIENT_METRICS = 16;
    private static final byte GROUP = 32;

    private final BrokerConfig config;
    private final TopicManager topics;
    private final Controller controller;
    private final Authorizer authorizer;
    private final GroupConfigs groupConfigs;

    ListConfigResourcesApi(
            BrokerConfig config,
            TopicManager topics,
            Controller controller,
            Authorizer authorizer,
            GroupConfigs groupConfigs) {
        this.groupConfigs = groupConfigs;
        this.config = config;
        this.topics = topics;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LIST_CONFIG_RESOURCES;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListConfigResourcesRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE_CONFIGS))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        List<Byte> types = ctx.apiVersion() >= 1 ? request.resourceTypes() : List.of(CLIENT_METRICS);
        if (types.isEmpty()) types = List.of(TOPIC, BROKER, GROUP, CLIENT_METRICS);
        for (byte t : types)
            if (t != TOPIC && t != BROKER && t != BROKER_LOGGER && t != CLIENT_METRICS && t != GROUP)
                throw new ApiException(Errors.UNSUPPORTED_VERSION, "Unsupported resource type " + t);
        ListConfigResourcesResponseData response = new ListConfigResourcesResponseData();
        if (types.contains(TOPIC)) {
            TreeSet<String> names = new TreeSet<>();
            if (controller != null) names.addAll(controller.image().topics().keySet());
            else for (Topic t : topics.all()) names.add(t.name());
            for (String n : names) response.configResources().add(resource(n, TOPIC));
        }
        if (types.contains(GROUP))
            for (String g : groupConfigs.groupIds()) response.configResources().add(resource(g, GROUP));
        if (types.contains(BROKER)) {
            TreeSet<Integer> ids = new TreeSet<>();
            if (controller != null)
                ids.addAll(controller.image().registeredBrokers().keySet());
            else ids.add(config.nodeId);
            for (int id : ids) response.configResources().add(resource(String.valueOf(id), BROKER));
        }
        response.setConfigResources(new ArrayList<>(response.configResources()));
        return CompletableFuture.completedFuture(response);
    }

    private static ListConfigResourcesResponseData.ConfigResource resource(String name, byte type) {
        return new ListConfigResourcesResponseData.ConfigResource()
                .setResourceName(name)
                .setResourceType(type);
    }
}
