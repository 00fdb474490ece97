package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.admin.FinalizedFeatures;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.UpdateFeaturesRequestData;
import dev.skiff.protocol.message.UpdateFeaturesResponseData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * UpdateFeatures: changes the finalized feature levels ({@code kafka-features upgrade/downgrade/disable},
 * Admin.updateFeatures) within what {@link FinalizedFeatures} supports, checked as Kafka's controller checks them;
 * the new levels and a new epoch are in the next ApiVersions answer. The whole request succeeds or fails with one
 * top-level error (INVALID_UPDATE_VERSION and Kafka's reason); v0-1 list every feature named when it succeeds.
 *
 * <p>Versions (Kafka's UpdateFeatures schemas):
 * <ul>
 * <li>v0: timeout, per feature the new max level (below 1: disable it) and allow_downgrade.
 * <li>v1: upgrade_type (1 upgrade, 2 safe downgrade, 3 unsafe downgrade) replaces allow_downgrade; adds
 *     validate_only.
 * <li>v2: the answer has the top-level error only, no per-feature results.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class UpdateFeaturesApi implements ApiHandler<UpdateFeaturesRequestData> {

    private final FinalizedFeatures features;
    private final Authorizer authorizer;

    UpdateFeaturesApi(FinalizedFeatures features, Authorizer authorizer) {
        this.features = features;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.UPDATE_FEATURES;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, UpdateFeaturesRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        short v = ctx.apiVersion();
        Map<String, FinalizedFeatures.Update> updates = new LinkedHashMap<>();
        for (UpdateFeaturesRequestData.FeatureUpdateKey u : request.featureUpdates()) {
            byte type = v == 0
                    ? (u.allowDowngrade() ? FinalizedFeatures.SAFE_DOWNGRADE : FinalizedFeatures.UPGRADE)
                    : u.upgradeType();
            updates.put(u.feature(), new FinalizedFeatures.Update(u.maxVersionLevel(), type));
        }
        Errors error = Errors.NONE;
        String message = null;
        try {
            features.update(updates, v >= 1 && request.validateOnly());
        } catch (ApiException e) {
            error = e.error();
            message = e.getMessage();
        }
        UpdateFeaturesResponseData response =
                new UpdateFeaturesResponseData().setErrorCode(error.code()).setErrorMessage(message);
        if (v < 2 && error == Errors.NONE)
            for (String feature : updates.keySet())
                response.results()
                        .add(new UpdateFeaturesResponseData.UpdatableFeatureResult()
                                .setFeature(feature)
                                .setErrorCode(error.code()));
        return CompletableFuture.completedFuture(response);
    }
}
