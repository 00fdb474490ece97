package dev.skiff.it.security;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.server.SaslProvider;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A STAND-IN for the real PLAIN mechanism, test scope only: enough of RFC 4616 for the transport tests
 * (handshake, framing, failures, re-authentication) to run before the real mechanisms are merged. Users come
 * from {@code skiff.sasl.users} ({@code name:password,...}, which EmbeddedSkiff's {@code user(...)} writes).
 */
public final class StandInPlain implements SaslProvider {

    public static final StandInPlain PROVIDER = new StandInPlain();

    @Override
    public SaslMechanisms forListener(dev.skiff.broker.Broker broker, dev.skiff.config.BrokerConfig config, String l) {
        Map<String, String> users = new LinkedHashMap<>();
        String spec = config.get("skiff.sasl.users");
        if (spec != null) {
            for (String entry : spec.split(",")) {
                int colon = entry.indexOf(':');
                if (colon > 0) users.put(entry.substring(0, colon).trim(), entry.substring(colon + 1));
            }
        }
        return new SaslMechanisms() {
            @Override
            public List<String> enabled() {
                return List.of("PLAIN");
            }

            @Override
            public SaslExchange start(String mechanism) {
                return new Exchange(users);
            }
        };
    }

    private static final class Exchange implements SaslExchange {
        private final Map<String, String> users;
        private KafkaPrincipal principal;

        Exchange(Map<String, String> users) {
            this.users = users;
        }

        @Override
        public byte[] evaluate(byte[] token) throws SaslAuthenticationException {
            String[] parts = new String(token, StandardCharsets.UTF_8).split("\u0000", -1);
            if (parts.length != 3) throw new SaslAuthenticationException("Invalid SASL/PLAIN response");
            String user = parts[1];
            String password = parts[2];
            if (!parts[0].isEmpty() && !parts[0].equals(user))
                throw new SaslAuthenticationException("Authentication failed: Client requested an authorization id "
                        + "that is different from username");
            if (!password.equals(users.get(user)))
                throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
            principal = KafkaPrincipal.user(user);
            return new byte[0];
        }

        @Override
        public boolean complete() {
            return principal != null;
        }

        @Override
        public KafkaPrincipal principal() {
            return principal;
        }
    }
}
