package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeClientQuotasRequestData;
import dev.skiff.protocol.message.DescribeClientQuotasResponseData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeClientQuotas: Skiff enforces no client quotas, so every valid filter matches no entity and the answer
 * has no entries. It is answered because {@code kafka-configs --describe --entity-type users} asks it beside
 * DescribeUserScramCredentials. A filter Kafka refuses is refused with INVALID_REQUEST: a match type other than
 * 0 (exact), 1 (default) or 2 (any), an exact match without a name, or an entity type named twice.
 *
 * <p>Versions (Kafka's DescribeClientQuotas schemas):
 * <ul>
 * <li>v0 (KIP-546): components (entity type, match type, match) and strict; entries of entity and values.
 * <li>v1: flexible versions (tagged fields), nothing else.
 * </ul>
 */
public final class DescribeClientQuotasApi implements ApiHandler<DescribeClientQuotasRequestData> {

    private final Authorizer authorizer;

    DescribeClientQuotasApi(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_CLIENT_QUOTAS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeClientQuotasRequestData request) {
        // Kafka asks DESCRIBE_CONFIGS on the cluster
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE_CONFIGS))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        Set<String> types = new HashSet<>();
        for (DescribeClientQuotasRequestData.ComponentData c : request.components()) {
            if (c.matchType() < 0 || c.matchType() > 2)
                throw new ApiException(Errors.INVALID_REQUEST, "Unknown match type " + c.matchType());
            if (c.matchType() == 0 && c.match() == null)
                throw new ApiException(
                        Errors.INVALID_REQUEST, "Request specified MATCH_TYPE_EXACT, but set match string to null");
            if (!types.add(String.valueOf(c.entityType())))
                throw new ApiException(
                        Errors.INVALID_REQUEST,
                        "Entity type " + c.entityType() + " cannot appear more than once in the filter");
        }
        return CompletableFuture.completedFuture(new DescribeClientQuotasResponseData().setEntries(new ArrayList<>()));
    }
}
