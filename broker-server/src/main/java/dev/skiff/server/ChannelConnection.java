package dev.skiff.server;

import dev.skiff.broker.Connection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A connection as broker-core sees it: its event loop, and the hooks to run when it closes (long-poll fetches
 * that would otherwise wait out their max_wait_ms for a client that is gone).
 */
final class ChannelConnection implements Connection {

    private final Executor eventLoop;
    private final ConnectionIdentity identity;
    private final Set<Runnable> closeHooks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ChannelConnection(Executor eventLoop) {
        this(eventLoop, null);
    }

    ChannelConnection(Executor eventLoop, ConnectionIdentity identity) {
        this.eventLoop = eventLoop;
        this.identity = identity;
    }

    @Override
    public dev.skiff.broker.security.KafkaPrincipal principal() {
        return identity == null ? Connection.super.principal() : identity.principal();
    }

    @Override
    public String listenerName() {
        return identity == null ? Connection.super.listenerName() : identity.listener;
    }

    @Override
    public Registration onClose(Runnable onClose) {
        // a fresh object per hook, so the same Runnable given twice is two hooks
        Runnable hook = onClose::run;
        closeHooks.add(hook);
        // closed between the caller's look and the add: the sweep in closed() may have missed it
        if (closed && closeHooks.remove(hook)) hook.run();
        return () -> closeHooks.remove(hook);
    }

    @Override
    public Executor executor() {
        return eventLoop;
    }

    /** Runs every hook once; later hooks run as they are given. */
    void closed() {
        closed = true;
        for (Runnable hook : closeHooks) {
            if (closeHooks.remove(hook)) hook.run();
        }
    }
}
