package dev.skiff.server.control;

import dev.skiff.protocol.ApiKeys;
import java.util.concurrent.atomic.AtomicInteger;

/** One installed {@link RequestControl}: how often it acted, whether it still does, and how to remove it. */
public final class ControlHandle {

    /** Remaining count of a control that lasts until removed. */
    static final int UNLIMITED = -1;

    private final Controls owner;
    private final ApiKeys api;
    private final RequestControl control;
    private final AtomicInteger remaining;
    private final AtomicInteger applied = new AtomicInteger();

    ControlHandle(Controls owner, ApiKeys api, RequestControl control, int times) {
        this.owner = owner;
        this.api = api;
        this.control = control;
        this.remaining = new AtomicInteger(times);
    }

    public ApiKeys api() {
        return api;
    }

    /** How many requests it has decided (returned a reply for) so far. */
    public int timesApplied() {
        return applied.get();
    }

    /** False once it has decided as many requests as it was installed for, or was removed. */
    public boolean isActive() {
        return remaining.get() != 0;
    }

    /** Uninstalls it; requests it already decided keep their fate. */
    public void remove() {
        remaining.set(0);
        owner.remove(this);
    }

    RequestControl control() {
        return control;
    }

    /** Takes one of the remaining turns; false when none is left (another connection took the last). */
    boolean claim() {
        while (true) {
            int left = remaining.get();
            if (left == 0) return false;
            if (left == UNLIMITED || remaining.compareAndSet(left, left - 1)) {
                applied.incrementAndGet();
                if (left == 1) owner.remove(this);
                return true;
            }
        }
    }

    @Override
    public String toString() {
        int left = remaining.get();
        return "Control[" + api + ", applied " + applied.get() + ", remaining "
                + (left == UNLIMITED ? "unlimited" : left) + "]";
    }
}
