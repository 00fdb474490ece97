package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.CreateDelegationTokenRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * CreateDelegationToken: answered as Kafka answers without {@code delegation.token.secret.key} (see
 * {@link DelegationTokenGate}): DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on plain text and one-way TLS,
 * DELEGATION_TOKEN_AUTH_DISABLED otherwise. Listed so that Admin and {@code kafka-delegation-tokens} get Kafka's
 * error rather than UNSUPPORTED_VERSION.
 *
 * <p>Versions (Kafka 4.x's CreateDelegationToken schemas; v0 was removed in 4.0):
 * <ul>
 * <li>v1: owner-less: renewers and max lifetime; answers the token (principal, timestamps, id, HMAC).
 * <li>v2: flexible versions.
 * <li>v3: owner_principal_type and owner_principal_name (KIP-373: a token for another user); the answer adds the
 *     requester principal.
 * </ul>
 */
public final class CreateDelegationTokenApi implements ApiHandler<CreateDelegationTokenRequestData> {

    private final DelegationTokenGate gate;

    CreateDelegationTokenApi(DelegationTokenGate gate) {
        this.gate = gate;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CREATE_DELEGATION_TOKEN;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, CreateDelegationTokenRequestData request) {
        throw gate.refuse(ctx);
    }
}
