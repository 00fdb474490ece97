package dev.skiff.broker;

import dev.skiff.protocol.ApiKeys;

/**
 * Who sent a request and how: the header fields plus the connection, which handlers need for versioned
 * answers and for logging.
 */
public record RequestContext(ApiKeys api, short apiVersion, int correlationId, String clientId,
                             String clientAddress, long connectionId) {
}
