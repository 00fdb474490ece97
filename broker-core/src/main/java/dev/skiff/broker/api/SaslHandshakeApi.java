package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.SaslHandshakeRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * SaslHandshake, as far as the broker sees it. On a SASL listener the connection's authenticator (in
 * broker-server) answers every handshake itself, the first and each re-authentication; one that reaches the
 * broker came in on a listener without SASL, and is refused with ILLEGAL_SASL_STATE as Kafka's KafkaApis does.
 *
 * <p>Versions (Kafka's SaslHandshake schemas):
 * <ul>
 * <li>v0: the mechanism; the response lists the enabled mechanisms. The client then sends the SASL tokens as
 *     raw frames without Kafka headers.
 * <li>v1: same layout; the tokens then travel in SaslAuthenticate requests (KIP-152).
 * </ul>
 */
public final class SaslHandshakeApi implements ApiHandler<SaslHandshakeRequestData> {

    @Override
    public ApiKeys api() {
        return ApiKeys.SASL_HANDSHAKE;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, SaslHandshakeRequestData request) {
        throw new ApiException(
                Errors.ILLEGAL_SASL_STATE, "Unexpected SaslHandshake: listener " + ctx.listenerName() + " has no SASL");
    }
}
