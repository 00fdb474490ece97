package dev.skiff.it.kafka08;

import kafka.producer.Partitioner;
import kafka.utils.VerifiableProperties;

/**
 * A custom 0.8 partitioner like the tutorial's SimplePartitioner: the key is an address such as
 * {@code 192.168.2.17} and its last number, modulo the partition count, chooses the partition.
 */
public final class LastNumberPartitioner implements Partitioner {

    /** The 0.8 producer instantiates partitioners reflectively with this constructor. */
    public LastNumberPartitioner(VerifiableProperties props) {}

    @Override
    public int partition(Object key, int numPartitions) {
        return partitionOf((String) key, numPartitions);
    }

    public static int partitionOf(String key, int numPartitions) {
        int dot = key.lastIndexOf('.');
        if (dot < 0) {
            return 0;
        }
        return Integer.parseInt(key.substring(dot + 1)) % numPartitions;
    }
}
