package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator: this broker coordinates every group and transaction; v4+ asks for several keys at once.
 *
 * <p>Versions (Kafka's FindCoordinator schemas):
 * <ul>
 * <li>v0: a group id; answers node id, host and port.
 * <li>v1: adds key_type (0 group, 1 transaction); the response adds throttle_time_ms and error_message. v2:
 *     same as v1.
 * <li>v3: flexible versions.
 * <li>v4: several keys at once (coordinator_keys, one answer per key, KIP-699).
 * <li>v5: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * <li>v6: key type 2 for share groups (KIP-932).
 * </ul>
 */
public final class FindCoordinatorApi implements ApiHandler<FindCoordinatorRequestData> {

    private final BrokerConfig config;
    private final AdvertisedAddress address;

    FindCoordinatorApi(BrokerConfig config, AdvertisedAddress address) {
        this.config = config;
        this.address = address;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        if (ctx.apiVersion() < 4) {
            r.setNodeId(config.nodeId)
                    .setHost(address.host(ctx.listenerName()))
                    .setPort(address.port(ctx.listenerName()));
        } else {
            for (String key : request.coordinatorKeys()) {
                r.coordinators()
                        .add(new FindCoordinatorResponseData.Coordinator()
                                .setKey(key)
                                .setNodeId(config.nodeId)
                                .setHost(address.host(ctx.listenerName()))
                                .setPort(address.port(ctx.listenerName())));
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
