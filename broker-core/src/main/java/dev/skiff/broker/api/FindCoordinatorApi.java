package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import java.util.concurrent.CompletableFuture;

/** FindCoordinator: this broker coordinates every group and transaction; v4+ asks for several keys at once. */
public final class FindCoordinatorApi implements ApiHandler<FindCoordinatorRequestData> {

    private final Broker broker;

    FindCoordinatorApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.FIND_COORDINATOR; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 6; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        if (ctx.apiVersion() < 4) {
            r.setNodeId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort());
        } else {
            for (String key : request.coordinatorKeys()) {
                r.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                        .setNodeId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort()));
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
