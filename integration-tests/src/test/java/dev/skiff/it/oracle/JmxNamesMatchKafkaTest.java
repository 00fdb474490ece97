package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.tools.attach.VirtualMachine;
import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The same workload against Apache Kafka 4.1.1 and Skiff, then the MBeans a Kafka dashboard reads are looked up
 * by name in both: each ObjectName Kafka registers must be registered by Skiff too, with the attributes Kafka
 * gives it (a meter's Count and rates, a histogram's percentiles, a gauge's Value).
 */
class JmxNamesMatchKafkaTest {

    private static final String TOPIC = "jmx-check";
    private static final String GROUP = "jmx-readers";

    /** Names as patterns: the version tag of RequestsPerSec is whatever the client used. */
    private static final List<String> NAMES = List.of(
            "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec",
            "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec",
            "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec",
            "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=" + TOPIC,
            "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=" + TOPIC,
            "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec,topic=" + TOPIC,
            "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,version=*",
            "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Fetch,version=*",
            "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce",
            "kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Fetch",
            "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions",
            "kafka.server:type=ReplicaManager,name=PartitionCount",
            "kafka.coordinator.group:type=GroupMetadataManager,name=NumGroups",
            "kafka.log:type=Log,name=Size,topic=" + TOPIC + ",partition=0",
            "kafka.log:type=Log,name=LogEndOffset,topic=" + TOPIC + ",partition=0",
            "kafka.log:type=Log,name=LogStartOffset,topic=" + TOPIC + ",partition=0",
            "kafka.log:type=Log,name=NumLogSegments,topic=" + TOPIC + ",partition=0");

    @Test
    void skiffRegistersTheNamesKafkaRegisters() throws Exception {
        Map<String, Set<String>> kafka;
        try (KafkaOracle oracle = KafkaOracle.start(Map.of())) {
            workload(oracle.bootstrap(), true);
            VirtualMachine vm = VirtualMachine.attach(Long.toString(oracle.pid()));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection server = c.getMBeanServerConnection();
                kafka = Poll.until(Duration.ofSeconds(30), "Kafka's MBeans", () -> lookup(server), m -> !m.isEmpty());
            }
        }
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            workload(broker.bootstrapServers(), false);
            MBeanServerConnection server = ManagementFactory.getPlatformMBeanServer();
            // per-topic and per-partition names appear on the next metrics tick (every 5 s)
            Map<String, Set<String>> skiff = Poll.until(
                    Duration.ofSeconds(20),
                    "Skiff's MBeans under Kafka's names",
                    () -> lookup(server),
                    m -> m.keySet().containsAll(kafka.keySet()));
            // every name looked for is one Kafka registers, so none is compared against nothing
            assertEquals(new TreeSet<>(NAMES), kafka.keySet(), "the names Apache Kafka registered");
            List<String> differences = new ArrayList<>();
            kafka.forEach((name, attributes) -> {
                Set<String> ours = skiff.get(name);
                if (!ours.containsAll(attributes))
                    differences.add(name + ": Kafka has " + attributes + ", Skiff " + ours);
            });
            assertEquals(List.of(), differences);
        }
    }

    /** Each of {@link #NAMES} found, by its pattern, with its attribute names. */
    private static Map<String, Set<String>> lookup(MBeanServerConnection server) throws Exception {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (String pattern : NAMES) {
            Set<ObjectName> found = server.queryNames(new ObjectName(pattern), null);
            if (found.isEmpty()) continue;
            Set<String> attributes = new TreeSet<>();
            for (MBeanAttributeInfo a :
                    server.getMBeanInfo(found.iterator().next()).getAttributes()) attributes.add(a.getName());
            out.put(pattern, attributes);
        }
        return out;
    }

    private static void workload(String bootstrap, boolean createTopic) throws Exception {
        Map<String, Object> common = Map.of("bootstrap.servers", bootstrap);
        if (createTopic) {
            try (Admin admin = Admin.create(common)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                        .all()
                        .get();
            }
        }
        try (var producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++)
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
        }
        Map<String, Object> props = new java.util.HashMap<>(common);
        props.put("group.id", GROUP);
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            int read = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read < 5 && System.nanoTime() < deadline)
                read += consumer.poll(Duration.ofMillis(200)).count();
            assertEquals(5, read);
            consumer.commitSync();
        }
    }
}
