package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.quota.ClientQuotaAdmin;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterClientQuotasRequestData;
import dev.skiff.protocol.message.AlterClientQuotasResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * AlterClientQuotas: sets and removes client quotas (user, client-id, user and client-id, ip; names or defaults),
 * durably before it answers. The rules and errors are Kafka's ({@link ClientQuotaAdmin}); validate_only checks
 * without storing.
 *
 * <p>Versions (Kafka's AlterClientQuotas schemas):
 * <ul>
 * <li>v0 (KIP-546): entries of entity (type, name) and ops (key, value, remove), validate_only; a result per
 *     entity.
 * <li>v1: flexible versions (tagged fields), nothing else.
 * </ul>
 */
public final class AlterClientQuotasApi implements ApiHandler<AlterClientQuotasRequestData> {

    private final ClientQuotaAdmin quotas;
    private final Authorizer authorizer;

    AlterClientQuotasApi(ClientQuotaAdmin quotas, Authorizer authorizer) {
        this.quotas = quotas;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_CLIENT_QUOTAS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterClientQuotasRequestData request) {
        // Kafka asks ALTER_CONFIGS on the cluster, and answers every entry, with its entity, when refused
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER_CONFIGS))
            return CompletableFuture.completedFuture(refused(request));
        return CompletableFuture.completedFuture(quotas.alter(request));
    }

    private static AlterClientQuotasResponseData refused(AlterClientQuotasRequestData request) {
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        for (AlterClientQuotasRequestData.EntryData entry : request.entries()) {
            AlterClientQuotasResponseData.EntryData r = new AlterClientQuotasResponseData.EntryData()
                    .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
            for (AlterClientQuotasRequestData.EntityData e : entry.entity())
                r.entity()
                        .add(new AlterClientQuotasResponseData.EntityData()
                                .setEntityType(e.entityType())
                                .setEntityName(e.entityName()));
            response.entries().add(r);
        }
        return response;
    }
}
