package dev.skiff.server;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.config.SecurityProtocol;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The listener a connection came in on and who it authenticated as, kept on its channel: set by the TLS and
 * SASL handlers as they learn it, read by the connection broker-core sees.
 */
final class ConnectionIdentity {

    static final AttributeKey<ConnectionIdentity> KEY = AttributeKey.valueOf("skiff.identity");
    private static final ConnectionIdentity PLAINTEXT = new ConnectionIdentity("PLAINTEXT", SecurityProtocol.PLAINTEXT);

    final String listener;
    final SecurityProtocol protocol;
    private volatile KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;

    ConnectionIdentity(String listener, SecurityProtocol protocol) {
        this.listener = listener;
        this.protocol = protocol;
    }

    /** The identity of {@code ch}; a channel set up without one (tests) is an anonymous PLAINTEXT client. */
    static ConnectionIdentity of(Channel ch) {
        ConnectionIdentity id = ch.attr(KEY).get();
        return id != null ? id : PLAINTEXT;
    }

    KafkaPrincipal principal() {
        return principal;
    }

    void authenticated(KafkaPrincipal who) {
        this.principal = who;
    }
}
