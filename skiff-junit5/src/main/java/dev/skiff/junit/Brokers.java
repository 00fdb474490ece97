package dev.skiff.junit;

import dev.skiff.server.EmbeddedSkiff;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The brokers one test context started, by name; closing it stops them and deletes their data. */
final class Brokers implements AutoCloseable {

    private final Map<String, EmbeddedSkiff> byName = Collections.synchronizedMap(new LinkedHashMap<>());

    /** Starts each declared broker whose name is not taken yet (a method-level one shadows a class-level one). */
    void startAll(Iterable<Skiff> specs) {
        for (Skiff s : specs) {
            synchronized (byName) {
                if (!byName.containsKey(s.name())) byName.put(s.name(), BrokerOptions.start(s));
            }
        }
    }

    EmbeddedSkiff get(String name) {
        return byName.get(name);
    }

    Map<String, EmbeddedSkiff> all() {
        synchronized (byName) {
            return new LinkedHashMap<>(byName);
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (EmbeddedSkiff b : all().values()) {
            try {
                b.close();
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        byName.clear();
        if (failure != null) throw failure;
    }
}
