package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.admin.FinalizedFeatures;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ApiVersionsRequestData;
import dev.skiff.protocol.message.ApiVersionsResponseData;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;

/**
 * ApiVersions: lists every API and version range Skiff answers, and nothing else. A request of a version
 * Skiff does not know is answered by the server with {@link #unsupportedVersionResponse()} in v0 form, as
 * Kafka does, so old and new clients can both negotiate.
 *
 * <p>Versions (Kafka's ApiVersions schemas):
 * <ul>
 * <li>v0: an empty request; answers every API key with its lowest and highest version.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: flexible versions (the response header stays v0); the request adds client_software_name and
 *     client_software_version; the response carries supported and finalized features as tagged fields
 *     ({@link FinalizedFeatures}: transaction.version, group.version, share.version).
 * <li>v4: same as v3 (a feature's min version may be 0, KAFKA-17011).
 * </ul>
 */
public final class ApiVersionsApi implements ApiHandler<ApiVersionsRequestData> {

    private final ApiHandlers handlers;
    private volatile FinalizedFeatures features;

    ApiVersionsApi(ApiHandlers handlers) {
        this.handlers = handlers;
    }

    /** The feature levels v3+ answers carry, read at each answer (UpdateFeatures changes them). */
    void useFeatures(FinalizedFeatures features) {
        this.features = features;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.API_VERSIONS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ApiVersionsRequestData request) {
        return CompletableFuture.completedFuture(response(Errors.NONE));
    }

    public ApiVersionsResponseData unsupportedVersionResponse() {
        return response(Errors.UNSUPPORTED_VERSION);
    }

    private ApiVersionsResponseData response(Errors error) {
        ApiVersionsResponseData r = new ApiVersionsResponseData().setErrorCode(error.code());
        handlers.all().stream()
                .sorted(Comparator.comparingInt(h -> h.api().id()))
                .forEach(h -> r.apiKeys()
                        .add(new ApiVersionsResponseData.ApiVersion()
                                .setApiKey(h.api().id())
                                .setMinVersion(h.minVersion())
                                .setMaxVersion(h.maxVersion())));
        Features.addTo(r, features.current()); // tagged fields: written only in v3+
        return r;
    }
}
