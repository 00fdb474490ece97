package dev.skiff.broker;

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
}
