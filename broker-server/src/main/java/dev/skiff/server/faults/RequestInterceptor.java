package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiMessage;

/**
 * Looks at each decoded request before the broker does and may change its fate: answer with an error, answer
 * late, or drop the connection. Called on the connection's event loop, so it must not block.
 */
@FunctionalInterface
public interface RequestInterceptor {

    /** What to do with this request, or null to leave it to the next interceptor and then the broker. */
    Decision intercept(Broker broker, RequestContext ctx, ApiMessage request);
}
