package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
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
 */
public final class ApiVersionsApi implements ApiHandler<ApiVersionsRequestData> {

    private final ApiHandlers handlers;

    ApiVersionsApi(ApiHandlers handlers) { this.handlers = handlers; }

    @Override public ApiKeys api() { return ApiKeys.API_VERSIONS; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 4; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ApiVersionsRequestData request) {
        return CompletableFuture.completedFuture(response(Errors.NONE));
    }

    public ApiVersionsResponseData unsupportedVersionResponse() { return response(Errors.UNSUPPORTED_VERSION); }

    private ApiVersionsResponseData response(Errors error) {
        ApiVersionsResponseData r = new ApiVersionsResponseData().setErrorCode(error.code());
        handlers.all().stream().sorted(Comparator.comparingInt(h -> h.api().id())).forEach(h ->
                r.apiKeys().add(new ApiVersionsResponseData.ApiVersion()
                        .setApiKey(h.api().id()).setMinVersion(h.minVersion()).setMaxVersion(h.maxVersion())));
        return r;
    }
}
