package dev.skiff.it.cluster;

import dev.skiff.it.Poll;
import dev.skiff.it.kafka08.Kafka08;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import kafka.api.FetchRequestBuilder;
import kafka.common.ErrorMapping;
import kafka.javaapi.FetchResponse;
import kafka.javaapi.PartitionMetadata;
import kafka.javaapi.TopicMetadata;
import kafka.javaapi.TopicMetadataRequest;
import kafka.javaapi.consumer.SimpleConsumer;
import kafka.javaapi.producer.Producer;
import kafka.message.MessageAndOffset;
import kafka.producer.KeyedMessage;
import kafka.producer.ProducerConfig;

/**
 * The 0.8.1 tutorial's SimpleConsumer partition consumer: findLeader asks the seed brokers for the topic's
 * metadata, the fetch loop reads from the leader, and a failed fetch (an error code, or the connection gone with
 * a killed broker) closes the consumer and calls findNewLeader, which asks the partition's replicas until one names
 * a leader other than the old one, then goes on at the same offset.
 */
final class TutorialPartitionConsumer {

    private final ClusterTarget cluster;
    private final String topic;
    private final int partition;
    private final String clientId;
    private List<String[]> replicaBrokers = new ArrayList<>();
    private PartitionMetadata leader;
    private SimpleConsumer consumer;
    private long nextOffset;
    private int total;
    private int leaderChanges;

    TutorialPartitionConsumer(ClusterTarget cluster, String topic, int partition) {
        this.cluster = cluster;
        this.topic = topic;
        this.partition = partition;
        this.clientId = "Client_" + topic + "_" + partition;
        List<String[]> seeds = new ArrayList<>();
        for (int id : cluster.brokerIds())
            seeds.add(new String[] {cluster.host(id), Integer.toString(cluster.port(id))});
        leader = Poll.until("the leader of " + topic + "-" + partition, () -> findLeader(seeds), m -> m != null);
        consumer = Kafka08.consumer(leader.leader().host(), leader.leader().port(), clientId);
    }

    int leaderId() {
        return leader.leader().id();
    }

    int leaderChanges() {
        return leaderChanges;
    }

    /** Reads until {@code upTo} messages were read in all; returns the values read by this call, in order. */
    List<String> read(int upTo) {
        List<String> read = new ArrayList<>();
        long deadline = System.nanoTime() + ClusterTarget.FAILOVER.toNanos();
        while (total < upTo) {
            if (System.nanoTime() - deadline > 0)
                throw new AssertionError("read " + total + " of " + upTo + " messages; at offset " + nextOffset);
            FetchResponse response;
            try {
                response = consumer.fetch(new FetchRequestBuilder()
                        .clientId(clientId)
                        .addFetch(topic, partition, nextOffset, Kafka08.FETCH_BYTES)
                        .build());
            } catch (Exception e) { // Scala throws ConnectException unchecked when the leader's host is gone
                response = null; // the leader is gone: as the tutorial does for an error code, find the new one
            }
            if (response == null || response.hasError()) {
                short code = response == null ? -1 : response.errorCode(topic, partition);
                if (code == ErrorMapping.OffsetOutOfRangeCode())
                    throw new AssertionError("offset " + nextOffset + " out of range");
                consumer.close();
                findNewLeader();
                continue;
            }
            int before = read.size();
            for (MessageAndOffset mo : response.messageSet(topic, partition)) {
                if (mo.offset() < nextOffset) continue;
                read.add(Kafka08.text(mo.message().payload()));
                nextOffset = mo.nextOffset();
                total++;
            }
            if (read.size() == before) pause(100);
        }
        return read;
    }

    private void findNewLeader() {
        int old = leaderId();
        leader = Poll.until(
                ClusterTarget.FAILOVER,
                "a new leader of " + topic + "-" + partition + " (old " + old + ")",
                () -> findLeader(replicaBrokers),
                m -> m != null && m.leader() != null && m.leader().id() != old);
        leaderChanges++;
        consumer = Kafka08.consumer(leader.leader().host(), leader.leader().port(), clientId);
    }

    /** The tutorial's findLeader: the first seed that answers names the leader and the replicas. */
    private PartitionMetadata findLeader(List<String[]> seeds) {
        for (String[] seed : seeds) {
            SimpleConsumer lookup = null;
            try {
                lookup = Kafka08.consumer(seed[0], Integer.parseInt(seed[1]), "leaderLookup");
                for (TopicMetadata tm : lookup.send(new TopicMetadataRequest(Collections.singletonList(topic)))
                        .topicsMetadata()) {
                    for (PartitionMetadata pm : tm.partitionsMetadata()) {
                        if (pm.partitionId() == partition && pm.leader() != null) {
                            List<String[]> replicas = new ArrayList<>();
                            for (kafka.cluster.Broker b : pm.replicas())
                                replicas.add(new String[] {b.host(), Integer.toString(b.port())});
                            replicaBrokers = replicas;
                            return pm;
                        }
                    }
                }
            } catch (Exception e) { // Scala throws ConnectException unchecked when the seed is down
                // this seed is down: ask the next
            } finally {
                if (lookup != null) lookup.close();
            }
        }
        return null;
    }

    void close() {
        if (consumer != null) consumer.close();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The tutorial's producer, synchronous, with request.required.acks=-1: every in-sync replica has it. */
    static final class SyncProducer implements AutoCloseable {
        private final Producer<String, String> producer;

        SyncProducer(ClusterTarget cluster) {
            Properties props = new Properties();
            props.put("metadata.broker.list", cluster.bootstrap());
            props.put("serializer.class", "kafka.serializer.StringEncoder");
            props.put("request.required.acks", "-1");
            props.put("producer.type", "sync");
            props.put("message.send.max.retries", "20");
            props.put("retry.backoff.ms", "500");
            producer = new Producer<>(new ProducerConfig(props));
        }

        /** Sends {@code prefix-from} .. {@code prefix-(from+count-1)}, one at a time, each acknowledged. */
        void send(String topic, String prefix, int from, int count) {
            for (int i = from; i < from + count; i++) producer.send(new KeyedMessage<>(topic, prefix + "-" + i));
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
