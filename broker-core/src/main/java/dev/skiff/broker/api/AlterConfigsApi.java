package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.ConfigResources;
import dev.skiff.broker.admin.TopicConfigChanges;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.groupconfig.GroupConfigChanges;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.AlterConfigsRequestData;
import dev.skiff.protocol.message.AlterConfigsRequestData.AlterConfigsResource;
import dev.skiff.protocol.message.AlterConfigsResponseData;
import dev.skiff.protocol.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * AlterConfigs (the legacy, replacing form): the configs given become the topic's (or group's, see
 * {@link GroupConfigChanges}) whole set; any config not named returns to its default. The new values reach the partition logs at once.
 *
 * <p>Versions (Kafka's AlterConfigs schemas):
 * <ul>
 * <li>v0: resources with their whole config sets, and validate_only.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER_CONFIGS on the topic or group, or on the cluster for broker resources
 * (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED for that resource). A resource of a type Kafka does not authorize (any but topic, broker, broker logger, client
 * metrics and group, and here the broker logger) fails the whole request
 * with INVALID_REQUEST before any ACL is checked, as in Kafka.
 */
public final class AlterConfigsApi implements ApiHandler<AlterConfigsRequestData> {

    private final ConfigAlters alters;
    private final GroupConfigs groupConfigs;

    AlterConfigsApi(
            BrokerConfig config,
            TopicManager topics,
            Controller controller,
            Authorizer authorizer,
            GroupConfigs groupConfigs) {
        this.alters = new ConfigAlters(config, topics, controller, authorizer);
        this.groupConfigs = groupConfigs;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_CONFIGS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterConfigsRequestData request) {
        var answers = alters.alterEach(
                ctx,
                request.resources(),
                true,
                AlterConfigsResource::resourceType,
                AlterConfigsResource::resourceName,
                res -> alter(res, request.validateOnly()),
                (res, e) -> new AlterConfigsResourceResponse()
                        .setResourceType(res.resourceType())
                        .setResourceName(res.resourceName())
                        .setErrorCode(e.code())
                        .setErrorMessage(e.message()));
        return CompletableFuture.completedFuture(new AlterConfigsResponseData().setResponses(answers));
    }

    private void alter(AlterConfigsResource res, boolean validateOnly) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (AlterConfigsRequestData.AlterableConfig c : res.configs())
            pairs.add(new AbstractMap.SimpleEntry<>(c.name(), c.value()));
        if (res.resourceType() == ConfigResources.GROUP) {
            GroupConfigChanges.replace(
                    groupConfigs, res.resourceName(), TopicConfigChanges.collect(pairs), validateOnly);
            return;
        }
        Topic t = alters.topic(res.resourceType(), res.resourceName());
        Map<String, String> given = TopicConfigChanges.collect(pairs);
        Map<String, String> configs = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            if (v != null) configs.put(k, v);
        }); // a null value removes the override
        TopicConfigChanges.validate(configs);
        if (validateOnly) return;
        alters.setTopicConfigs(t.name(), configs);
    }
}
