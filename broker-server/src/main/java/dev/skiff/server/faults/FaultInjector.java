package dev.skiff.server.faults;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.types.Uuid;
import dev.skiff.server.control.ControlContext;
import dev.skiff.server.control.ControlHandle;
import dev.skiff.server.control.Controls;
import dev.skiff.server.control.Reply;
import dev.skiff.server.control.RequestControl;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The faults of one embedded broker, for tests of error handling: each fault is a request control on its API
 * that replies only to requests about its topic (and partition), so a broker without faults runs the plain
 * request path, and faults outlive restarts as the controls do.
 */
public final class FaultInjector {

    private final Controls controls;
    private final Function<Uuid, String> topicNames;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    /** Faults on controls of their own, for tests that only describe faults. */
    public FaultInjector() {
        this(new Controls(), id -> null);
    }

    /**
     * @param controls   the controls of the server the faults apply to
     * @param topicNames the name of a topic given by id (newer request versions), or null when unknown
     */
    public FaultInjector(Controls controls, Function<Uuid, String> topicNames) {
        this.controls = Objects.requireNonNull(controls, "controls");
        this.topicNames = Objects.requireNonNull(topicNames, "topicNames");
    }

    /** Starts describing a fault on requests of this API. */
    public FaultSpec on(ApiKeys api) {
        return new FaultSpec(this, api);
    }

    /** The faults still installed, oldest first. */
    public List<Fault> installed() {
        faults.removeIf(f -> !f.isActive());
        return List.copyOf(faults);
    }

    /** Removes every fault. */
    public void clear() {
        for (Fault f : faults) f.remove();
        faults.clear();
    }

    Fault install(
            Fault fault,
            String topic,
            int partition,
            int times,
            BiFunction<ControlContext, ApiMessage, Reply> outcome) {
        ApiKeys api = fault.api();
        RequestControl control =
                (ctx, request) -> topic == null || RequestTopics.touches(request, topicNames, topic, partition)
                        ? outcome.apply(ctx, request)
                        : null;
        ControlHandle handle =
                times == Fault.UNLIMITED ? controls.add(api, control) : controls.add(api, times, control);
        fault.installedAs(handle);
        faults.add(fault);
        return fault;
    }
}
