package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiMessage;

/**
 * The interceptors of one server, asked in the order they were added. Reading the list is one volatile read,
 * so a server without interceptors pays nothing per request.
 */
public final class Interceptors {

    private static final RequestInterceptor[] NONE = {};

    private volatile RequestInterceptor[] list = NONE;

    public boolean isEmpty() { return list.length == 0; }

    public synchronized void add(RequestInterceptor interceptor) {
        for (RequestInterceptor i : list) if (i == interceptor) return;
        RequestInterceptor[] grown = java.util.Arrays.copyOf(list, list.length + 1);
        grown[list.length] = interceptor;
        list = grown;
    }

    public synchronized void remove(RequestInterceptor interceptor) {
        list = java.util.Arrays.stream(list).filter(i -> i != interceptor).toArray(RequestInterceptor[]::new);
    }

    /** The first non-null decision, or null when every interceptor lets the request through. */
    public Decision decide(Broker broker, RequestContext ctx, ApiMessage request) {
        for (RequestInterceptor i : list) {
            Decision d = i.intercept(broker, ctx, request);
            if (d != null) return d;
        }
        return null;
    }
}
