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
    /** Made with the first hook: most connections (producers, idle ones) never register one. */
    private volatile Set<Runnable> closeHooks;

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
        Set<Runnable> hooks = hooks();
        hooks.add(hook);
        // closed between the caller's look and the add: the sweep in closed() may have missed it
        if (closed && hooks.remove(hook)) hook.run();
        return () -> hooks.remove(hook);
    }

    private Set<Runnable> hooks() {
        Set<Runnable> hooks = closeHooks;
        if (hooks == null) {
            synchronized (this) {
                hooks = closeHooks;
                if (hooks == null) closeHooks = hooks = ConcurrentHashMap.newKeySet();
            }
        }
        return hooks;
    }

    @Override
    public Executor executor() {
        return eventLoop;
    }

    /** Runs every hook once; later hooks run as they are given. */
    void closed() {
        closed = true;
        Set<Runnable> hooks = closeHooks; // none yet: a hook added later sees closed and runs itself
        if (hooks == null) return;
        for (Runnable hook : hooks) {
            if (hooks.remove(hook)) hook.run();
        }
    }
}
