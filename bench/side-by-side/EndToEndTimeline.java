import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's EndToEndLatency loop, with its client settings (linger.ms=0, fetch.max.wait.ms=0, assign and seek
 * to the end, one synchronous send then a poll per message), that also says <em>when</em> in the run the slow
 * messages came: the tool's own report has whole milliseconds and no timeline, and at 10,000 messages its 1%
 * tail is mostly the client JVM warming up.
 *
 * <p>Run with the Kafka tools' classpath (source-file mode, nothing to build):
 * {@code java -cp "$(cat bench/side-by-side/target/kafka-classpath.txt)" bench/side-by-side/EndToEndTimeline.java
 * 127.0.0.1:9092 latency 10000}
 */
public class EndToEndTimeline {

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EndToEndTimeline BOOTSTRAP TOPIC MESSAGES");
            System.exit(2);
        }
        String bootstrap = args[0], topic = args[1];
        int n = Integer.parseInt(args[2]);
        long[] micros = measure(bootstrap, topic, n);
        report(micros);
    }

    private static long[] measure(String bootstrap, String topic, int n) throws Exception {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", "timeline-" + System.currentTimeMillis());
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "latest");
        c.put("fetch.max.wait.ms", "0");
        c.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        c.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("linger.ms", "0");
        p.put("acks", "1");
        p.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        long[] micros = new long[n];
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            byte[] value = new byte[100];
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value)).get();
                ConsumerRecords<byte[], byte[]> got = consumer.poll(Duration.ofSeconds(60));
                micros[i] = (System.nanoTime() - start) / 1000;
                if (got.count() != 1) throw new IllegalStateException("expected 1 record, got " + got.count());
            }
        }
        return micros;
    }

    /** Per twentieth of the run: mean, max and how many messages took 1 ms and 2 ms or more; then percentiles. */
    private static void report(long[] micros) {
        int n = micros.length, slice = Math.max(1, n / 20);
        System.out.println("messages         mean us   max us   >=1ms  >=2ms");
        for (int from = 0; from < n; from += slice) {
            int to = Math.min(n, from + slice);
            long sum = 0, max = 0, over1 = 0, over2 = 0;
            for (int i = from; i < to; i++) {
                sum += micros[i];
                max = Math.max(max, micros[i]);
                if (micros[i] >= 1000) over1++;
                if (micros[i] >= 2000) over2++;
            }
            System.out.printf("%6d-%-6d %10d %8d %7d %6d%n", from, to - 1, sum / (to - from), max, over1, over2);
        }
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        System.out.printf("p50 %d us, p99 %d us, p99.9 %d us (EndToEndLatency would print p99 = %d)%n",
                sorted[n / 2], sorted[(int) (n * 0.99)], sorted[(int) (n * 0.999)], sorted[(int) (n * 0.99)] / 1000);
    }
}
