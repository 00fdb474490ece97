package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.AlterTargets;
import dev.skiff.broker.admin.ApiError;
import dev.skiff.broker.admin.ConfigResources;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What AlterConfigs and IncrementalAlterConfigs share, whatever their wire types: the request's checks and
 * answers (unknown resource types fail it whole, then each resource is refused when named twice or without
 * ALTER_CONFIGS, else altered), the topic a TOPIC resource names (broker resources are refused), and where a
 * topic's new configs go (the controller in a cluster, else the topic manager).
 */
final class ConfigAlters {

    private final BrokerConfig config;
    private final TopicManager topics;
    private final Controller controller;
    private final Authorizer authorizer;

    ConfigAlters(BrokerConfig config, TopicManager topics, Controller controller, Authorizer authorizer) {
        this.config = config;
        this.topics = topics;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    /**
     * Checks the request's resource types ({@code legacy}: AlterConfigs, which also refuses the broker logger),
     * then alters each resource that is named once and may be altered by the caller, answering every resource
     * in request order with {@code answer}.
     */
    <R, A> List<A> alterEach(
            RequestContext ctx,
            List<R> resources,
            boolean legacy,
            Function<R, Byte> type,
            Function<R, String> name,
            Consumer<R> alter,
            BiFunction<R, ApiError, A> answer) {
        ConfigAuthorization.requireKnownTypes(resources.stream().map(type).toList(), legacy);
        return AlterTargets.alterEach(
                resources,
                type,
                name,
                res -> {
                    ConfigAuthorization.check(authorizer, ctx, type.apply(res), name.apply(res), true);
                    alter.accept(res);
                },
                answer);
    }

    /** The topic a resource that is not a GROUP names: a broker resource, or any other type, is refused. */
    Topic topic(byte resourceType, String resourceName) {
        if (resourceType != ConfigResources.TOPIC)
            throw AlterTargets.brokerChange(resourceType, resourceName, config.nodeId);
        return AlterTargets.topic(topics, resourceName);
    }

    /** Sets a topic's whole config set: in a cluster the controller keeps it, and each broker applies it from the image. */
    void setTopicConfigs(String topic, Map<String, String> configs) {
        if (controller != null) controller.alterTopicConfigs(topic, configs);
        else topics.setConfigs(topic, configs);
    }
}
