package dev.skiff.it.zookeeper;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import kafka.producer.Partitioner;
import kafka.producer.ProducerConfig;
import kafka.utils.VerifiableProperties;

/**
 * Test messages, sent with the 0.8.1.1 producer of this module's classpath (it needs no ZooKeeper), each to
 * the partition its index chooses ({@code i % partitions}), so the expected content of every partition is known.
 */
final class TestData {

    private TestData() {}

    /** Sends {@code count} messages {@code <tag>-<i>} with acks=1 and returns their values. */
    static List<String> produce(String bootstrap, String topic, int partitions, String tag, int count) {
        Properties props = new Properties();
        props.put("metadata.broker.list", bootstrap);
        props.put("serializer.class", "kafka.serializer.StringEncoder");
        props.put("partitioner.class", IndexPartitioner.class.getName());
        props.put("request.required.acks", "1");
        Producer<String, String> producer = new Producer<>(new ProducerConfig(props));
        List<String> values = new ArrayList<>();
        try {
            List<KeyedMessage<String, String>> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String value = tag + "-" + i;
                values.add(value);
                batch.add(new KeyedMessage<>(topic, "k" + i, i % partitions, value));
            }
            producer.send(batch);
        } finally {
            producer.close();
        }
        return values;
    }

    /** The partition is the message's partition key, an Integer. */
    public static final class IndexPartitioner implements Partitioner {
        public IndexPartitioner(VerifiableProperties props) {}

        @Override
        public int partition(Object key, int numPartitions) {
            return (Integer) key % numPartitions;
        }
    }
}
