package dev.skiff.bench;

/** A broker the benchmark started: where to ask, and how to stop it (stopping is not timed). */
interface StartedBroker extends AutoCloseable {
    String host();

    int port();

    @Override
    void close() throws Exception;
}
