package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One installed fault: which requests it catches (API key, optionally topic and partition), what happens to
 * them, and how many more it catches. Returned by {@link FaultSpec}; {@link #remove()} uninstalls it.
 */
public final class Fault {

    /** Remaining count of a fault that lasts until removed. */
    static final int UNLIMITED = -1;

    private final FaultInjector owner;
    private final ApiKeys api;
    private final String topic;
    private final int partition;
    private final Decision decision;
    private final AtomicInteger remaining;
    private final AtomicInteger applied = new AtomicInteger();

    Fault(FaultInjector owner, ApiKeys api, String topic, int partition, Decision decision, int times) {
        this.owner = owner;
        this.api = api;
        this.topic = topic;
        this.partition = partition;
        this.decision = decision;
        this.remaining = new AtomicInteger(times);
    }

    public ApiKeys api() { return api; }

    /** How many requests this fault has caught so far. */
    public int timesApplied() { return applied.get(); }

    /** False once it has caught as many requests as it was told to, or was removed. */
    public boolean isActive() { return remaining.get() != 0; }

    /** Uninstalls it; requests already caught keep their fate. */
    public void remove() {
        remaining.set(0);
        owner.remove(this);
    }

    boolean matches(Broker broker, ApiKeys requestApi, ApiMessage request) {
        return requestApi == api && (topic == null || RequestTopics.touches(request, broker, topic, partition));
    }

    /** Takes one of the remaining catches; false when none is left (another connection took the last). */
    boolean claim() {
        while (true) {
            int left = remaining.get();
            if (left == 0) return false;
            if (left == UNLIMITED || remaining.compareAndSet(left, left - 1)) {
                applied.incrementAndGet();
                return true;
            }
        }
    }

    Decision decision() { return decision; }

    @Override
    public String toString() {
        return "Fault[" + api + (topic == null ? "" : " " + topic + (partition < 0 ? "" : "-" + partition))
                + " -> " + decision + ", remaining " + (remaining.get() == UNLIMITED ? "unlimited" : remaining.get()) + "]";
    }
}
