package dev.skiff.it.security;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.api.ApiHandler;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records who sends Metadata requests (principal and listener), by wrapping the broker's Metadata handler. */
final class Principals {

    /** One Metadata request: who sent it, on which listener. */
    record Seen(String principal, String listener) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    static Principals recordOn(EmbeddedSkiff broker) {
        Principals p = new Principals();
        @SuppressWarnings("unchecked")
        ApiHandler<ApiMessage> metadata =
                (ApiHandler<ApiMessage>) InsideBroker.of(broker).handlers().get(ApiKeys.METADATA);
        InsideBroker.of(broker).handlers().add(new ApiHandler<ApiMessage>() {
            @Override
            public ApiKeys api() {
                return ApiKeys.METADATA;
            }

            @Override
            public short minVersion() {
                return metadata.minVersion();
            }

            @Override
            public short maxVersion() {
                return metadata.maxVersion();
            }

            @Override
            public CompletableFuture<ApiMessage> handle(RequestContext ctx, ApiMessage request) {
                p.seen.add(new Seen(ctx.principal().toString(), ctx.listenerName()));
                return metadata.handle(ctx, request);
            }
        });
        return p;
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }
}
