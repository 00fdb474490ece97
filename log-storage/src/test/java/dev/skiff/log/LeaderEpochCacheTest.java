package dev.skiff.log;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    @TempDir
    Path dir;

    private static LeaderEpochCache.EpochEntry e(int epoch, long start) {
        return new LeaderEpochCache.EpochEntry(epoch, start);
    }

    @Test
    void writesKafkasCheckpointFormat() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(0, 0);
        cache.assign(0, 7); // same epoch later: ignored
        cache.assign(2, 10);
        cache.assign(1, 12); // older: ignored
        assertEquals("0\n2\n0 0\n2 10\n", Files.readString(dir.resolve(LeaderEpochCache.FILE), StandardCharsets.UTF_8));
        assertFalse(Files.exists(dir.resolve(LeaderEpochCache.FILE + Recovery.TMP)));
        assertEquals(List.of(e(0, 0), e(2, 10)), LeaderEpochCache.load(dir).entries());
    }

    @Test
    void answersLikeKafkasEndOffsetFor() {
        LeaderEpochCache cache = LeaderEpochCache.inMemory();
        assertEquals(Log.EpochEndOffset.UNDEFINED, cache.endOffsetFor(0, 5));
        cache.assign(2, 10);
        cache.assign(5, 20);
        assertEquals(new Log.EpochEndOffset(1, 10), cache.endOffsetFor(1, 30), "older than all: its start");
        assertEquals(new Log.EpochEndOffset(2, 20), cache.endOffsetFor(2, 30));
        assertEquals(new Log.EpochEndOffset(2, 20), cache.endOffsetFor(4, 30));
        assertEquals(new Log.EpochEndOffset(5, 30), cache.endOffsetFor(5, 30));
        assertEquals(Log.EpochEndOffset.UNDEFINED, cache.endOffsetFor(6, 30));
        assertEquals(Log.EpochEndOffset.UNDEFINED, cache.endOffsetFor(Integer.MAX_VALUE, 30));
        assertEquals(Log.EpochEndOffset.UNDEFINED, cache.endOffsetFor(-7, 30));
    }

    @Test
    void truncatesFromEndAndStart() {
        LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(1, 0);
        cache.assign(2, 10);
        cache.assign(3, 20);
        cache.truncateFromEnd(20);
        assertEquals(List.of(e(1, 0), e(2, 10)), cache.entries());
        cache.truncateFromStart(15);
        assertEquals(List.of(e(2, 15)), cache.entries());
        assertEquals(List.of(e(2, 15)), LeaderEpochCache.load(dir).entries());
        cache.clear();
        assertTrue(LeaderEpochCache.load(dir).entries().isEmpty());
    }

    @Test
    void aNewEpochReplacesEntriesAtOrAfterItsStart() {
        LeaderEpochCache cache = LeaderEpochCache.inMemory();
        cache.assign(1, 0);
        cache.assign(2, 10);
        cache.assign(4, 10);
        assertEquals(List.of(e(1, 0), e(4, 10)), cache.entries());
    }

    @Test
    void unreadableFileIsIgnored() throws Exception {
        Files.writeString(dir.resolve(LeaderEpochCache.FILE), "0\n3\n1 0\n");
        assertTrue(LeaderEpochCache.load(dir).entries().isEmpty());
        Files.writeString(dir.resolve(LeaderEpochCache.FILE), "7\n0\n");
        assertTrue(LeaderEpochCache.load(dir).entries().isEmpty());
    }

    @Test
    void segmentedLogKeepsEpochsAcrossRestartAndCrash() {
        LogConfig config = LogConfig.defaults().withSegmentBytes(2048).withRetentionMs(-1);
        Path logDir = dir.resolve("t-0");
        SegmentedLog log = SegmentedLog.open(logDir, config);
        for (int i = 0; i < 30; i++) log.appendAsLeader(TestBatches.batch(2, 1_000, 50), i < 10 ? 0 : 3);
        log.close();
        SegmentedLog reopened = SegmentedLog.open(logDir, config);
        assertEquals(List.of(e(0, 0), e(3, 20)), reopened.leaderEpochCache().entries());
        assertEquals(new Log.EpochEndOffset(0, 20), reopened.endOffsetForEpoch(1));
        reopened.truncateTo(10);
        assertEquals(10, reopened.logEndOffset());
        reopened.close();
        SegmentedLog again = SegmentedLog.open(logDir, config);
        assertEquals(10, again.logEndOffset());
        assertEquals(List.of(e(0, 0)), again.leaderEpochCache().entries());
        assertEquals(10, again.appendAsLeader(TestBatches.batch(1, 1_000, 5), 6).firstOffset());
        again.close();
    }
}
