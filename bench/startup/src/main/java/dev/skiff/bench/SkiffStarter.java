package dev.skiff.bench;

import dev.skiff.server.EmbeddedSkiff;

/** Starts Skiff the way a test does: a free port and, on disk, a fresh temporary data dir. */
final class SkiffStarter {

    static StartedBroker start(boolean inMemory) {
        EmbeddedSkiff.Builder b = EmbeddedSkiff.builder();
        if (inMemory) b.inMemory();
        EmbeddedSkiff broker = b.start();
        return new StartedBroker() {
            @Override
            public String host() {
                return broker.host();
            }

            @Override
            public int port() {
                return broker.port();
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    private SkiffStarter() {}
}
