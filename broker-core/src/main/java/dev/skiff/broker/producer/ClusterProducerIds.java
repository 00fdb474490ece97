package dev.skiff.broker.producer;

import java.nio.file.Path;

/**
 * Producer ids of one broker of a cluster: the broker's own durable counter (reserved in blocks on disk, as
 * {@link ProducerIds#onDisk} does, in a file of its own) times 65536 plus the broker's id, so no two brokers
 * ever hand out the same id and none repeats one after a restart. Broker ids must be within 0..65535.
 */
public final class ClusterProducerIds implements ProducerIds {

    static final int BROKER_BITS = 16;

    private final ProducerIds counter;
    private final int brokerId;

    public ClusterProducerIds(ProducerIds counter, int brokerId) {
        if (brokerId < 0 || brokerId >= 1 << BROKER_BITS)
            throw new IllegalArgumentException("broker id " + brokerId + " is outside 0..65535");
        this.counter = counter;
        this.brokerId = brokerId;
    }

    /** The ids of a broker of a cluster: durable when it keeps its data on disk. */
    public static ClusterProducerIds forBroker(boolean persistent, Path dataDir, int brokerId) {
        ProducerIds counter = persistent
                ? ProducerIds.onDisk(dataDir.resolve(".skiff").resolve("cluster-producer-ids"))
                : ProducerIds.inMemory();
        return new ClusterProducerIds(counter, brokerId);
    }

    @Override
    public long next() {
        return (counter.next() << BROKER_BITS) | brokerId;
    }
}
