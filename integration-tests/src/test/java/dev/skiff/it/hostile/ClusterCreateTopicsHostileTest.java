package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.protocol.Errors;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.CreateTopicsResponseData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.server.SkiffCluster;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * CreateTopics over a raw socket to a cluster, asking for what the controller must refuse: huge partition
 * counts, assignments naming brokers that do not exist, the same broker twice, uneven replica counts. Each gets
 * Kafka's error and nothing is written; then a normal client is served, and a restart of the whole cluster
 * keeps every acknowledged record and the metadata log readable.
 */
class ClusterCreateTopicsHostileTest {

    private static final short CREATE_TOPICS = 19, V = 4;

    private static Map<String, Short> create(SkiffCluster cluster, CreateTopicsRequestData req) throws Exception {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(CREATE_TOPICS)
                .setRequestApiVersion(V)
                .setCorrelationId(9)
                .setClientId("hostile")
                .write(w, (short) 1);
        req.write(w, V);
        byte[] payload = w.toByteArray();
        try (Socket s = new Socket(cluster.host(1), cluster.port(1))) {
            s.setSoTimeout(60_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(payload.length);
            out.write(payload);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            var buf = Unpooled.wrappedBuffer(answer);
            assertEquals(9, buf.readInt());
            CreateTopicsResponseData r = new CreateTopicsResponseData(buf, V);
            Map<String, Short> codes = new LinkedHashMap<>();
            for (var t : r.topics()) codes.put(t.name(), t.errorCode());
            return codes;
        }
    }

    private static CreateTopicsRequestData.CreatableTopic assigned(String name, List<List<Integer>> replicas) {
        CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic()
                .setName(name)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1);
        for (int p = 0; p < replicas.size(); p++)
            t.assignments()
                    .add(new CreateTopicsRequestData.CreatableReplicaAssignment()
                            .setPartitionIndex(p)
                            .setBrokerIds(new ArrayList<>(replicas.get(p))));
        return t;
    }

    @Test
    void refusedCreationsWriteNothingAndTheClusterSurvives() throws Exception {
        try (SkiffCluster cluster = SkiffCluster.builder().brokers(3).start()) {
            List<String> acknowledged = produce(cluster, "survivor", 20);
            CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs(30_000);
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName("huge")
                            .setNumPartitions(Integer.MAX_VALUE)
                            .setReplicationFactor((short) 3));
            req.topics()
                    .add(new CreateTopicsRequestData.CreatableTopic()
                            .setName("rf")
                            .setNumPartitions(1)
                            .setReplicationFactor(Short.MAX_VALUE));
            List<List<Integer>> many = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) many.add(List.of(i % 3));
            req.topics().add(assigned("many", many));
            // over 10,000 partitions in all: Kafka refuses the whole request, every topic POLICY_VIOLATION
            Map<String, Short> codes = create(cluster, req);
            assertEquals(Errors.POLICY_VIOLATION.code(), codes.get("huge"));
            assertEquals(Errors.POLICY_VIOLATION.code(), codes.get("rf"));
            assertEquals(Errors.POLICY_VIOLATION.code(), codes.get("many"));
            for (String name : codes.keySet()) assertNull(cluster.image().topic(name), name + " was not created");
            req.topics().removeIf(t -> t.name().equals("huge") || t.name().equals("many"));
            req.topics().add(assigned("unknown-broker", List.of(List.of(0, 99))));
            req.topics().add(assigned("duplicate", List.of(List.of(1, 1, 2))));
            req.topics().add(assigned("uneven", List.of(List.of(0, 1), List.of(2))));
            req.topics().add(assigned("negative", List.of(List.of(-1))));
            codes.putAll(create(cluster, req));
            assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), codes.get("rf"));
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), codes.get("unknown-broker"));
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), codes.get("duplicate"));
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), codes.get("uneven"));
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT.code(), codes.get("negative"));
            for (String name : codes.keySet()) assertNull(cluster.image().topic(name), name + " was not created");

            // survival: served on fresh connections, and the whole cluster restarts with everything
            acknowledged.addAll(produce(cluster, "survivor", 1));
            assertEquals(acknowledged, readAll(cluster, "survivor"));
            cluster.restart();
            assertEquals(acknowledged, readAll(cluster, "survivor"));
            for (String name : codes.keySet()) assertNull(cluster.image().topic(name), name + " after restart");
        }
    }

    private static List<String> produce(SkiffCluster cluster, String topic, int n) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        p.put("acks", "all");
        p.put("delivery.timeout.ms", 30_000);
        p.put("request.timeout.ms", 5_000);
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                String v = topic + "-" + System.nanoTime() + "-" + i;
                producer.send(new ProducerRecord<>(topic, 0, null, v)).get();
                sent.add(v);
            }
        }
        return sent;
    }

    private static List<String> readAll(SkiffCluster cluster, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", cluster.bootstrapServers());
        p.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<String> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline)
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r.value());
            return out;
        }
    }
}
