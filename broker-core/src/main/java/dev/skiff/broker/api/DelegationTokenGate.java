package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.Listeners;
import dev.skiff.config.SecurityProtocol;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * Skiff issues no delegation tokens (KIP-48): it has no {@code delegation.token.secret.key} support, so each token
 * API fails as Kafka's does without that key. Kafka first refuses token requests on connections that could not
 * carry a token safely, plain text and one-way TLS (anonymous), with DELEGATION_TOKEN_REQUEST_NOT_ALLOWED; on a
 * SASL (or mutual TLS) connection the answer is DELEGATION_TOKEN_AUTH_DISABLED.
 */
final class DelegationTokenGate {

    private final BrokerConfig config;

    DelegationTokenGate(BrokerConfig config) {
        this.config = config;
    }

    /** Always throws: the error Kafka answers without a token secret. */
    ApiException refuse(RequestContext ctx) {
        Listeners.Endpoint listener = config.listeners.get(ctx.listenerName());
        SecurityProtocol protocol = listener == null ? SecurityProtocol.PLAINTEXT : listener.protocol();
        boolean anonymous =
                ctx.principal() == null || ctx.principal().equals(dev.skiff.broker.security.KafkaPrincipal.ANONYMOUS);
        if (protocol == SecurityProtocol.PLAINTEXT || (protocol == SecurityProtocol.SSL && anonymous))
            return new ApiException(
                    Errors.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
                    "Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation"
                            + " token authenticated channels.");
        return new ApiException(Errors.DELEGATION_TOKEN_AUTH_DISABLED, "Delegation Token feature is not enabled.");
    }
}
