package dev.skiff.server.control;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The request controls of a server, by API key, asked in the order they were added; the first reply wins.
 * Reading them is one volatile read, so a server without controls pays nothing per request.
 */
public final class Controls {

    private static final ControlHandle[] NONE = {};

    private volatile ControlHandle[] list = NONE;

    public boolean isEmpty() {
        return list.length == 0;
    }

    /** Installs {@code control} for every request of {@code api} until removed. */
    public ControlHandle add(ApiKeys api, RequestControl control) {
        return add(api, ControlHandle.UNLIMITED, control);
    }

    /** Installs {@code control} for the next {@code times} requests of {@code api} it replies to. */
    public ControlHandle add(ApiKeys api, int times, RequestControl control) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(control, "control");
        if (times <= 0 && times != ControlHandle.UNLIMITED)
            throw new IllegalArgumentException("times must be > 0: " + times);
        ControlHandle h = new ControlHandle(this, api, control, times);
        synchronized (this) {
            ControlHandle[] grown = java.util.Arrays.copyOf(list, list.length + 1);
            grown[list.length] = h;
            list = grown;
        }
        return h;
    }

    /** The controls still installed, oldest first. */
    public List<ControlHandle> installed() {
        return List.of(list);
    }

    synchronized void remove(ControlHandle h) {
        List<ControlHandle> kept = new ArrayList<>(List.of(list));
        if (kept.remove(h)) list = kept.toArray(NONE);
    }

    /** The first reply of a control of this API, or null when every one leaves the request alone. */
    public Reply decide(ControlContext context, ApiMessage request) {
        for (ControlHandle h : list) {
            if (h.api() != context.api() || !h.isActive()) continue;
            Reply r = h.control().control(context, request);
            if (r != null && h.claim()) return r;
        }
        return null;
    }
}
