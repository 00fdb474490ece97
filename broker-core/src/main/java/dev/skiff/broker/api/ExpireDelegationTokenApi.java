package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.ExpireDelegationTokenRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * ExpireDelegationToken: answered as Kafka answers without {@code delegation.token.secret.key} (see
 * {@link DelegationTokenGate}): DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on plain text and one-way TLS,
 * DELEGATION_TOKEN_AUTH_DISABLED otherwise. Listed so that Admin and {@code kafka-delegation-tokens} get Kafka's
 * error rather than UNSUPPORTED_VERSION.
 *
 * <p>Versions (Kafka 4.x's ExpireDelegationToken schemas; v0 was removed in 4.0):
 * <ul>
 * <li>v1: hmac and expiry period; answers the expiry timestamp.
 * <li>v2: flexible versions.
 * </ul>
 */
public final class ExpireDelegationTokenApi implements ApiHandler<ExpireDelegationTokenRequestData> {

    private final DelegationTokenGate gate;

    ExpireDelegationTokenApi(DelegationTokenGate gate) {
        this.gate = gate;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.EXPIRE_DELEGATION_TOKEN;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ExpireDelegationTokenRequestData request) {
        throw gate.refuse(ctx);
    }
}
