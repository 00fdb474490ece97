package dev.skiff.broker.producer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Hands out producer ids, each one once for the life of the broker's data (across restarts when on disk). */
public interface ProducerIds {

    long next();

    /** A counter for a broker that keeps nothing: its data, and so its producers, end with the process. */
    static ProducerIds inMemory() {
        AtomicLong counter = new AtomicLong();
        return counter::getAndIncrement;
    }

    /** Ids reserved in blocks whose end is saved in {@code file} before any id of the block is used. */
    static ProducerIds onDisk(Path file) { return new ProducerIdBlocks(file); }

    /**
     * Picks by the data dir: a broker on disk has created {@code .skiff/topics} under it before its handlers
     * exist; an in-memory broker has not, and must not write there.
     */
    static ProducerIds forDataDir(Path dataDir) {
        Path skiff = dataDir == null ? null : dataDir.resolve(".skiff");
        return skiff != null && Files.isDirectory(skiff.resolve("topics"))
                ? onDisk(skiff.resolve("producer-ids")) : inMemory();
    }
}
