package dev.skiff.log;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared behaviour, on disk. */
class SegmentedLogContractTest extends LogContractTest {
    @TempDir
    Path tmp;

    private int logs;

    @Override
    Log newLog(LogConfig config) {
        return SegmentedLog.open(tmp.resolve("topic-" + logs++), config, FileChannelFactory.DEFAULT, clock::get);
    }
}
