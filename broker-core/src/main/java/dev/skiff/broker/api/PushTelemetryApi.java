package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.telemetry.ClientTelemetry;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.PushTelemetryRequestData;
import dev.skiff.protocol.message.PushTelemetryResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * PushTelemetry (KIP-714): a client instance's metrics, an OpenTelemetry MetricsData message, compressed with one of
 * the codecs GetTelemetrySubscriptions offered. Checked and kept by {@link ClientTelemetry} (the last push of each
 * instance, readable through the embedding API), or dropped when {@code skiff.telemetry.store=false}. Served only
 * when {@code skiff.telemetry.metrics} asks for metrics.
 *
 * <p>Versions (Kafka's PushTelemetry schemas):
 * <ul>
 * <li>v0: client_instance_id, subscription_id, terminating, compression_type, metrics; answers an error code.
 * </ul>
 *
 * <p>Authorization: none, as Kafka's.
 */
public final class PushTelemetryApi implements ApiHandler<PushTelemetryRequestData> {

    private final ClientTelemetry telemetry;

    PushTelemetryApi(ClientTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.PUSH_TELEMETRY;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, PushTelemetryRequestData request) {
        telemetry.push(
                request.clientInstanceId(),
                request.subscriptionId(),
                request.terminating(),
                request.compressionType(),
                request.metrics(),
                ctx.clientId(),
                ctx.clientAddress(),
                ctx.principal() == null ? null : ctx.principal().toString());
        return CompletableFuture.completedFuture(new PushTelemetryResponseData());
    }
}
