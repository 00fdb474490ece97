package dev.skiff.broker.api;

import dev.skiff.broker.InvalidTopicException;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.admin.ConfigDescriber;
import dev.skiff.broker.admin.ConfigResources;
import dev.skiff.broker.groupconfig.GroupConfigChanges;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeConfigsRequestData;
import dev.skiff.protocol.message.DescribeConfigsResponseData;
import dev.skiff.protocol.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import dev.skiff.protocol.message.DescribeConfigsResponseData.DescribeConfigsResult;
import dev.skiff.protocol.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeConfigs for topics (every topic config: set on the topic, set on the broker, or Kafka's default),
 * for this broker (the settings it runs with, all read-only) and for groups (every group config: set on the group
 * or the default, see {@link GroupConfigChanges}).
 *
 * <p>Versions (Kafka's DescribeConfigs schemas):
 * <ul>
 * <li>v0: resources and config keys; each config answers is_default.
 * <li>v1: adds include_synonyms; config_source and synonyms replace is_default. v2: same as v1.
 * <li>v3: adds include_documentation; the response adds config_type and documentation.
 * <li>v4: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE_CONFIGS on the topic or group, or on the cluster for broker resources
 * (TOPIC_/GROUP_/CLUSTER_AUTHORIZATION_FAILED for that resource). A resource of a type Kafka does not authorize (any but topic, broker, broker logger, client
 * metrics and group) fails the whole request
 * with INVALID_REQUEST before any ACL is checked, as in Kafka.
 */
public final class DescribeConfigsApi implements ApiHandler<DescribeConfigsRequestData> {

    private final BrokerConfig config;
    private final TopicManager topics;

    private final Authorizer authorizer;
    private final GroupConfigs groupConfigs;

    DescribeConfigsApi(BrokerConfig config, TopicManager topics, Authorizer authorizer, GroupConfigs groupConfigs) {
        this.groupConfigs = groupConfigs;
        this.authorizer = authorizer;
        this.config = config;
        this.topics = topics;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeConfigsRequestData request) {
        ConfigAuthorization.requireKnownTypes(
                request.resources().stream()
                        .map(DescribeConfigsRequestData.DescribeConfigsResource::resourceType)
                        .toList(),
                false);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        boolean synonyms = ctx.apiVersion() >= 1 && request.includeSynonyms();
        boolean docs = ctx.apiVersion() >= 3 && request.includeDocumentation();
        for (DescribeConfigsRequestData.DescribeConfigsResource res : request.resources()) {
            DescribeConfigsResult r = new DescribeConfigsResult()
                    .setResourceType(res.resourceType())
                    .setResourceName(res.resourceName());
            response.results().add(r);
            try {
                ConfigAuthorization.check(authorizer, ctx, res.resourceType(), res.resourceName(), false);
                List<ConfigDescriber.Described> all = describe(res);
                Set<String> keys = res.configurationKeys() == null ? null : new HashSet<>(res.configurationKeys());
                for (ConfigDescriber.Described d : all) {
                    if (keys == null || keys.contains(d.name())) r.configs().add(toResult(d, synonyms, docs));
                }
            } catch (AdminException e) {
                r.setErrorCode(e.error().code())
                        .setErrorMessage(e.error().message())
                        .setConfigs(new ArrayList<>());
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private List<ConfigDescriber.Described> describe(DescribeConfigsRequestData.DescribeConfigsResource res) {
        ConfigDescriber describer = new ConfigDescriber(config);
        switch (res.resourceType()) {
            case ConfigResources.TOPIC -> {
                try {
                    TopicManager.validateName(res.resourceName());
                } catch (InvalidTopicException e) {
                    throw new AdminException(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
                }
                Topic t = topics.get(res.resourceName());
                if (t == null)
                    throw new AdminException(
                            Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            "The topic '" + res.resourceName() + "' does not exist.");
                return describer.topic(t.configs());
            }
            case ConfigResources.GROUP -> {
                return GroupConfigChanges.describe(groupConfigs, res.resourceName());
            }
            case ConfigResources.BROKER -> {
                // "" names the cluster-wide dynamic defaults, of which Skiff has none
                if (res.resourceName() == null || res.resourceName().isEmpty()) return List.of();
                if (!res.resourceName().equals(Integer.toString(config.nodeId)))
                    throw new AdminException(
                            Errors.INVALID_REQUEST,
                            "Unexpected broker id, expected " + config.nodeId + " or empty string, but received "
                                    + res.resourceName());
                return describer.broker();
            }
            default ->
                throw new AdminException(Errors.INVALID_REQUEST, "Unsupported resource type " + res.resourceType());
        }
    }

    private static DescribeConfigsResourceResult toResult(ConfigDescriber.Described d, boolean synonyms, boolean docs) {
        DescribeConfigsResourceResult c = new DescribeConfigsResourceResult()
                .setName(d.name())
                .setValue(d.value())
                .setReadOnly(d.readOnly())
                .setIsDefault(d.isDefault())
                .setConfigSource(d.source())
                .setIsSensitive(false)
                .setConfigType(d.type())
                .setDocumentation(docs ? "" : null);
        if (synonyms) {
            for (ConfigDescriber.Synonym s : d.synonyms())
                c.synonyms()
                        .add(new DescribeConfigsSynonym()
                                .setName(s.name())
                                .setValue(s.value())
                                .setSource(s.source()));
        }
        return c;
    }
}
