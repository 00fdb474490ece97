package dev.skiff.server.faults;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.control.ControlHandle;

/**
 * One installed fault: which requests it catches (API key, optionally topic and partition), what happens to
 * them, and how many more it catches. Returned by {@link FaultSpec}; {@link #remove()} uninstalls it. It is a
 * request control ({@link ControlHandle}) that leaves requests about other topics alone.
 */
public final class Fault {

    /** Remaining count of a fault that lasts until removed. */
    static final int UNLIMITED = -1;

    private final ApiKeys api;
    private final String topic;
    private final int partition;
    private final String outcome;
    private volatile ControlHandle control;

    Fault(ApiKeys api, String topic, int partition, String outcome) {
        this.api = api;
        this.topic = topic;
        this.partition = partition;
        this.outcome = outcome;
    }

    void installedAs(ControlHandle control) {
        this.control = control;
    }

    public ApiKeys api() {
        return api;
    }

    /** How many requests this fault has caught so far. */
    public int timesApplied() {
        return control.timesApplied();
    }

    /** False once it has caught as many requests as it was told to, or was removed. */
    public boolean isActive() {
        return control.isActive();
    }

    /** Uninstalls it; requests already caught keep their fate. */
    public void remove() {
        control.remove();
    }

    @Override
    public String toString() {
        return "Fault[" + api + (topic == null ? "" : " " + topic + (partition < 0 ? "" : "-" + partition)) + " -> "
                + outcome + ", " + control + "]";
    }
}
