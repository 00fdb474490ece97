package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The faults of one embedded broker, for tests of error handling. It sits in the server's interceptor list
 * only while it holds a fault, so a broker without faults runs the plain request path. It outlives
 * restarts: {@link #attach(Interceptors)} moves it to the new server.
 */
public final class FaultInjector implements RequestInterceptor {

    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private Interceptors attachedTo;

    /** Starts describing a fault on requests of this API. */
    public FaultSpec on(ApiKeys api) { return new FaultSpec(this, api); }

    /** The faults still installed, oldest first. */
    public List<Fault> installed() { return List.copyOf(faults); }

    /** Removes every fault. */
    public synchronized void clear() {
        for (Fault f : faults) f.remove();
    }

    /** Serves the given server from now on (a broker restart makes a new one). */
    public synchronized void attach(Interceptors interceptors) {
        if (attachedTo != null) attachedTo.remove(this);
        attachedTo = interceptors;
        if (!faults.isEmpty()) interceptors.add(this);
    }

    synchronized Fault install(Fault f) {
        faults.add(f);
        if (attachedTo != null) attachedTo.add(this);
        return f;
    }

    synchronized void remove(Fault f) {
        faults.remove(f);
        if (faults.isEmpty() && attachedTo != null) attachedTo.remove(this);
    }

    @Override
    public Decision intercept(Broker broker, RequestContext ctx, ApiMessage request) {
        for (Fault f : faults) {
            if (!f.matches(broker, ctx.api(), request) || !f.claim()) continue;
            if (!f.isActive()) remove(f);
            return f.decision();
        }
        return null;
    }
}
