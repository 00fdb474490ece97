package dev.skiff.broker.producer;

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
    static ProducerIds onDisk(Path file) {
        return new ProducerIdBlocks(file);
    }

    /** Ids that survive restarts for a broker on disk; a plain counter for one in memory. */
    static ProducerIds forBroker(boolean persistent, Path dataDir) {
        return persistent ? onDisk(dataDir.resolve(".skiff").resolve("producer-ids")) : inMemory();
    }
}
