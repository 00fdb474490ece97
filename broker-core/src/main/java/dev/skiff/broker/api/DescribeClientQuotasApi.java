package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.quota.ClientQuotaAdmin;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeClientQuotasRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeClientQuotas: the quotas stored by AlterClientQuotas whose entities match the filter, with Kafka's
 * matching and errors ({@link ClientQuotaAdmin#describe}): components of exact name (0), default (1) or any name
 * (2) per entity type; no components and not strict is every entity; strict leaves out entities with parts not
 * filtered. A filter Kafka refuses is refused as Kafka does: INVALID_REQUEST for an unknown match type, an exact
 * match without a name, an entity type named twice or empty, ip filtered with user or client-id;
 * UNSUPPORTED_VERSION for an unknown entity type.
 *
 * <p>Versions (Kafka's DescribeClientQuotas schemas):
 * <ul>
 * <li>v0 (KIP-546): components (entity type, match type, match) and strict; entries of entity and values.
 * <li>v1: flexible versions (tagged fields), nothing else.
 * </ul>
 */
public final class DescribeClientQuotasApi implements ApiHandler<DescribeClientQuotasRequestData> {

    private final ClientQuotaAdmin quotas;
    private final Authorizer authorizer;

    DescribeClientQuotasApi(ClientQuotaAdmin quotas, Authorizer authorizer) {
        this.quotas = quotas;
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
        return CompletableFuture.completedFuture(quotas.describe(request));
    }
}
