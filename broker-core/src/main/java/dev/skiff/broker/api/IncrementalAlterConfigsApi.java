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
import dev.skiff.protocol.message.IncrementalAlterConfigsRequestData;
import dev.skiff.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import dev.skiff.protocol.message.IncrementalAlterConfigsResponseData;
import dev.skiff.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (list configs only) on a topic's or a group's configs
 * (see {@link GroupConfigChanges}); all changes of one resource apply together or not at all.
 *
 * <p>Versions (Kafka's IncrementalAlterConfigs schemas):
 * <ul>
 * <li>v0: per resource set, delete, append and subtract operations, and validate_only.
 * <li>v1: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER_CONFIGS on the topic or group, or on the cluster for broker resources
 * (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED for that resource). A resource of a type Kafka does not authorize (any but topic, broker, broker logger, client
 * metrics and group) fails the whole request
 * with INVALID_REQUEST before any ACL is checked, as in Kafka.
 */
public final class IncrementalAlterConfigsApi implements ApiHandler<IncrementalAlterConfigsRequestData> {

    private final BrokerConfig config;
    private final TopicManager topics;
    private final ConfigAlters alters;
    private final GroupConfigs groupConfigs;

    IncrementalAlterConfigsApi(
            BrokerConfig config,
            TopicManager topics,
            Controller controller,
            Authorizer authorizer,
            GroupConfigs groupConfigs) {
        this.config = config;
        this.topics = topics;
        this.alters = new ConfigAlters(config, topics, controller, authorizer);
        this.groupConfigs = groupConfigs;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, IncrementalAlterConfigsRequestData request) {
        var answers = alters.alterEach(
                ctx,
                request.resources(),
                false,
                AlterConfigsResource::resourceType,
                AlterConfigsResource::resourceName,
                res -> alter(res, request.validateOnly()),
                (res, e) -> new AlterConfigsResourceResponse()
                        .setResourceType(res.resourceType())
                        .setResourceName(res.resourceName())
                        .setErrorCode(e.code())
                        .setErrorMessage(e.message()));
        return CompletableFuture.completedFuture(new IncrementalAlterConfigsResponseData().setResponses(answers));
    }

    private void alter(AlterConfigsResource res, boolean validateOnly) {
        List<TopicConfigChanges.Op> ops = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterableConfig c : res.configs())
            ops.add(new TopicConfigChanges.Op(c.name(), c.configOperation(), c.value()));
        if (res.resourceType() == ConfigResources.GROUP) {
            GroupConfigChanges.incremental(groupConfigs, res.resourceName(), ops, validateOnly);
            return;
        }
        // serialised with other alters so two concurrent changes of one topic cannot lose each other's keys
        synchronized (topics) {
            Topic t = alters.topic(res.resourceType(), res.resourceName());
            Map<String, String> next = TopicConfigChanges.apply(t.configs(), ops, config);
            if (!validateOnly) alters.setTopicConfigs(t.name(), next);
        }
    }
}
