package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.DescribeDelegationTokenRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeDelegationToken: answered as Kafka answers without {@code delegation.token.secret.key} (see
 * {@link DelegationTokenGate}): DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on plain text and one-way TLS,
 * DELEGATION_TOKEN_AUTH_DISABLED otherwise. Listed so that Admin and {@code kafka-delegation-tokens} get Kafka's
 * error rather than UNSUPPORTED_VERSION.
 *
 * <p>Versions (Kafka 4.x's DescribeDelegationToken schemas; v0 was removed in 4.0):
 * <ul>
 * <li>v1: owners (null: all); answers the tokens with owner, timestamps, id, HMAC and renewers.
 * <li>v2: flexible versions.
 * <li>v3: the answer adds each token's requester principal (KIP-373).
 * </ul>
 */
public final class DescribeDelegationTokenApi implements ApiHandler<DescribeDelegationTokenRequestData> {

    private final DelegationTokenGate gate;

    DescribeDelegationTokenApi(DelegationTokenGate gate) {
        this.gate = gate;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_DELEGATION_TOKEN;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeDelegationTokenRequestData request) {
        throw gate.refuse(ctx);
    }
}
