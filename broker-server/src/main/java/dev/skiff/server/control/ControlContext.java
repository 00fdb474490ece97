package dev.skiff.server.control;

import dev.skiff.protocol.ApiKeys;

/** What the request header and the connection say about a request that a {@link RequestControl} looks at. */
public record ControlContext(
        ApiKeys api, short apiVersion, int correlationId, String clientId, String clientAddress, long connectionId) {}
