package dev.skiff.broker.security;

import dev.skiff.broker.Connection;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import java.util.concurrent.Executor;

/**
 * A test aid, off by default: with {@code skiff.test.principal.client.id.prefix=P} set, a request from an
 * unauthenticated connection whose client id is "P<name>" acts as User:&lt;name&gt;, so plain-text kafka-clients
 * can play several users in authorization tests. Never set it on a broker that guards anything: any client can
 * claim any user with it.
 */
public final class TestPrincipals {

    public static final String PREFIX_KEY = "skiff.test.principal.client.id.prefix";

    private TestPrincipals() {}

    /** The configured prefix, or null when the aid is off. */
    public static String prefix(BrokerConfig config) {
        String p = config.get(PREFIX_KEY);
        return p == null || p.isEmpty() ? null : p;
    }

    /** The request as its client id's user when the aid applies, else the request unchanged. */
    public static RequestContext apply(RequestContext ctx, String prefix) {
        String clientId = ctx.clientId();
        if (clientId == null || !clientId.startsWith(prefix) || clientId.length() == prefix.length()) return ctx;
        Connection c = ctx.connection();
        if (!c.principal().equals(KafkaPrincipal.ANONYMOUS)) return ctx;
        KafkaPrincipal as = KafkaPrincipal.user(clientId.substring(prefix.length()));
        return new RequestContext(
                ctx.api(),
                ctx.apiVersion(),
                ctx.correlationId(),
                clientId,
                ctx.clientAddress(),
                ctx.connectionId(),
                new As(c, as));
    }

    /** The connection, seen as another principal. */
    private record As(Connection connection, KafkaPrincipal principal) implements Connection {
        @Override
        public Registration onClose(Runnable onClose) {
            return connection.onClose(onClose);
        }

        @Override
        public Executor executor() {
            return connection.executor();
        }

        @Override
        public String listenerName() {
            return connection.listenerName();
        }
    }
}
