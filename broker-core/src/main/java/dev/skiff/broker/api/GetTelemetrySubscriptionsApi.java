package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.telemetry.ClientTelemetry;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.GetTelemetrySubscriptionsRequestData;
import dev.skiff.protocol.message.GetTelemetrySubscriptionsResponseData;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * GetTelemetrySubscriptions (KIP-714): which metrics a client instance should push, how often, how compressed and
 * how large at most. Served only when {@code skiff.telemetry.metrics} asks for metrics, as Kafka lists the API only
 * with a telemetry receiver configured; the rules are {@link ClientTelemetry}'s.
 *
 * <p>Versions (Kafka's GetTelemetrySubscriptions schemas):
 * <ul>
 * <li>v0: client_instance_id (zero: the broker makes one up); answers the instance id, subscription id, accepted
 *     compression types, push interval, telemetry max bytes, delta temporality and the requested metric prefixes.
 * </ul>
 *
 * <p>Authorization: none, as Kafka's (any connected client may push its own metrics).
 */
public final class GetTelemetrySubscriptionsApi implements ApiHandler<GetTelemetrySubscriptionsRequestData> {

    private final ClientTelemetry telemetry;

    GetTelemetrySubscriptionsApi(ClientTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, GetTelemetrySubscriptionsRequestData request) {
        ClientTelemetry.Subscription s = telemetry.subscribe(request.clientInstanceId());
        return CompletableFuture.completedFuture(new GetTelemetrySubscriptionsResponseData()
                .setClientInstanceId(s.clientInstanceId())
                .setSubscriptionId(s.subscriptionId())
                .setAcceptedCompressionTypes(new ArrayList<>(ClientTelemetry.ACCEPTED_COMPRESSION_TYPES))
                .setPushIntervalMs(s.pushIntervalMs())
                .setTelemetryMaxBytes(telemetry.config().maxBytes())
                .setDeltaTemporality(true)
                .setRequestedMetrics(new ArrayList<>(s.metrics())));
    }
}
