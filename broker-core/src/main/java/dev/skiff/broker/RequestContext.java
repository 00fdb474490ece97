package dev.skiff.broker;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.protocol.ApiKeys;

/**
 * Who sent a request and how: the header fields plus the connection, which handlers need for versioned
 * answers, for logging, and to end waiting work when the client goes away.
 */
public record RequestContext(
        ApiKeys api,
        short apiVersion,
        int correlationId,
        String clientId,
        String clientAddress,
        long connectionId,
        Connection connection) {

    /** A request made in-process, on a connection that never closes. */
    public RequestContext(
            ApiKeys api,
            short apiVersion,
            int correlationId,
            String clientId,
            String clientAddress,
            long connectionId) {
        this(api, apiVersion, correlationId, clientId, clientAddress, connectionId, Connection.NONE);
    }

    /** Who sent the request (authorization checks this). */
    public KafkaPrincipal principal() {
        return connection.principal();
    }

    /** The listener the request came in on (Metadata advertises that listener's addresses). */
    public String listenerName() {
        return connection.listenerName();
    }
}
