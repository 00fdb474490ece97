package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import java.util.concurrent.CompletableFuture;

/** FindCoordinator: this broker coordinates every group and transaction; v4+ asks for several keys at once. */
public final class FindCoordinatorApi implements ApiHandler<FindCoordinatorRequestData> {

    private final BrokerConfig config;
    private final AdvertisedAddress address;

    FindCoordinatorApi(BrokerConfig config, AdvertisedAddress address) {
        this.config = config;
        this.address = address;
    }

    @Override public ApiKeys api() { return ApiKeys.FIND_COORDINATOR; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 6; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        if (ctx.apiVersion() < 4) {
            r.setNodeId(config.nodeId).setHost(address.host()).setPort(address.port());
        } else {
            for (String key : request.coordinatorKeys()) {
                r.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setNodeId(config.nodeId).setHost(address.host()).setPort(address.port()));
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
