package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one API. A handler runs on the connection's I/O thread and must not block: work that waits
 * (long-poll fetch, group joins) completes the returned future later. A future completed with null means
 * "send no response" (Produce with acks=0).
 */
public interface ApiHandler<Q extends ApiMessage> {

    ApiKeys api();

    /** Lowest and highest request versions Skiff answers; ApiVersions advertises exactly these. */
    short minVersion();

    short maxVersion();

    CompletableFuture<ApiMessage> handle(RequestContext ctx, Q request);
}
