package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.SaslAuthenticateRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * SaslAuthenticate, as far as the broker sees it. While a client authenticates the connection's authenticator
 * (in broker-server) takes these requests; one that reaches the broker came without a handshake before it
 * (after authentication, or on a listener without SASL) and is refused with ILLEGAL_SASL_STATE, as Kafka does.
 *
 * <p>Versions (Kafka's SaslAuthenticate schemas):
 * <ul>
 * <li>v0: auth_bytes in and out, with error_code and error_message.
 * <li>v1: the response adds session_lifetime_ms (KIP-368 re-authentication; 0: no limit).
 * <li>v2: flexible versions.
 * </ul>
 */
public final class SaslAuthenticateApi implements ApiHandler<SaslAuthenticateRequestData> {

    @Override
    public ApiKeys api() {
        return ApiKeys.SASL_AUTHENTICATE;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, SaslAuthenticateRequestData request) {
        throw new ApiException(Errors.ILLEGAL_SASL_STATE, "SaslAuthenticate without a SaslHandshake before it");
    }
}
