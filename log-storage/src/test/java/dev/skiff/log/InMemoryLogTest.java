package dev.skiff.log;

import dev.skiff.log.memory.InMemoryLog;

/** The in-memory log passes the same behavioural tests as the segmented one. */
class InMemoryLogTest extends LogContractTest {
    @Override
    Log newLog(LogConfig config) {
        return InMemoryLog.create(config, clock::get);
    }
}
