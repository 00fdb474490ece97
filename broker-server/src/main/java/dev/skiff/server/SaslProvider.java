package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.config.BrokerConfig;
import java.util.List;

/**
 * Where a SASL listener gets its mechanisms: asked once per listener when the server starts. The transport
 * (handshake, framing, closing on failure) is the server's; what each mechanism checks is the provider's.
 */
@FunctionalInterface
public interface SaslProvider {

    SaslMechanisms forListener(Broker broker, BrokerConfig config, String listener);

    /** Offers no mechanism: every handshake is answered UNSUPPORTED_SASL_MECHANISM. */
    SaslProvider NONE = (broker, config, listener) -> new SaslMechanisms() {
        @Override
        public List<String> enabled() {
            return List.of();
        }

        @Override
        public SaslExchange start(String mechanism) {
            throw new IllegalArgumentException("no SASL mechanism is offered");
        }
    };

    /** What a server uses unless told otherwise: the broker's PLAIN and SCRAM mechanisms from its config. */
    static SaslProvider standard() {
        return (broker, config, listener) -> broker.saslMechanisms(listener);
    }
}
