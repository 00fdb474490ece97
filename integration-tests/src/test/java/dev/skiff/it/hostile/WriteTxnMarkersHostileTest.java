package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * WriteTxnMarkers from a hostile client over a real socket: markers for producer ids and epochs at their extremes
 * (-1, Long.MAX_VALUE, Short.MAX_VALUE then an older epoch), coordinator epochs at Integer.MIN_VALUE and MAX_VALUE,
 * partition indexes out of range and negative, 20,000 partitions of a topic that does not exist, markers into an
 * internal topic, and commit and abort markers between the records of a live partition. Each partition gets Kafka's
 * error, the records around the markers stay readable, and the broker serves on and restarts intact (the markers'
 * producer state is read back from the log).
 */
class WriteTxnMarkersHostileTest {

    private static WriteTxnMarkersRequestData.WritableTxnMarker marker(
            long producerId, short epoch, boolean commit, int coordinatorEpoch, String topic, List<Integer> parts) {
        WriteTxnMarkersRequestData.WritableTxnMarker m = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(producerId)
                .setProducerEpoch(epoch)
                .setTransactionResult(commit)
                .setCoordinatorEpoch(coordinatorEpoch);
        m.topics()
                .add(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                        .setName(topic)
                        .setPartitionIndexes(parts));
        return m;
    }

    private static List<Errors> send(KafkaWire wire, WriteTxnMarkersRequestData.WritableTxnMarker... markers)
            throws Exception {
        WriteTxnMarkersResponseData r =
                wire.send(new WriteTxnMarkersRequestData().setMarkers(new ArrayList<>(List.of(markers))), 1);
        List<Errors> out = new ArrayList<>();
        for (var m : r.markers())
            for (var t : m.topics()) for (var p : t.partitions()) out.add(Errors.forCode(p.errorCode()));
        return out;
    }

    @Test
    void hostileMarkersGetKafkasErrorsAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            String topic = survival.topic();
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                assertEquals(
                        List.of(Errors.NONE),
                        send(
                                wire,
                                marker(Long.MAX_VALUE, Short.MAX_VALUE, true, Integer.MAX_VALUE, topic, List.of(0))));
                // an older epoch, then an older coordinator epoch, of that producer
                assertEquals(
                        List.of(Errors.INVALID_PRODUCER_EPOCH),
                        send(wire, marker(Long.MAX_VALUE, (short) 0, false, Integer.MAX_VALUE, topic, List.of(0))));
                assertEquals(
                        List.of(Errors.TRANSACTION_COORDINATOR_FENCED),
                        send(
                                wire,
                                marker(Long.MAX_VALUE, Short.MAX_VALUE, false, Integer.MIN_VALUE, topic, List.of(0))));
                assertEquals(
                        List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION),
                        send(wire, marker(7, (short) 0, false, 0, topic, List.of(-1, Integer.MAX_VALUE))));
                List<Integer> many = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) many.add(i);
                List<Errors> unknown = send(wire, marker(8, (short) 0, true, 0, "no-such-topic", many));
                assertEquals(20_000, unknown.size());
                assertTrue(unknown.stream().allMatch(e -> e == Errors.UNKNOWN_TOPIC_OR_PARTITION));
                // the offsets topic keeps its own transactional state: nothing is written into it
                assertEquals(
                        List.of(Errors.NONE),
                        send(wire, marker(9, (short) 0, false, 0, "__consumer_offsets", List.of(0))));
                // no producer id at all, and a marker of every kind on both partitions
                assertEquals(
                        List.of(Errors.UNKNOWN_SERVER_ERROR, Errors.UNKNOWN_SERVER_ERROR),
                        send(wire, marker(-1, (short) -1, false, -1, topic, List.of(0, 1))));
                assertEquals(
                        List.of(Errors.UNKNOWN_SERVER_ERROR),
                        send(wire, marker(Long.MIN_VALUE, (short) 0, true, 0, topic, List.of(1))));
                assertEquals(
                        List.of(Errors.NONE, Errors.NONE, Errors.NONE, Errors.NONE),
                        send(
                                wire,
                                marker(10, (short) 3, false, 5, topic, List.of(0, 1)),
                                marker(11, (short) 0, true, 0, topic, List.of(0, 1))));
            }
            survival.assertServedAndRestartsIntact();
            // the producer state came back from the log or its snapshot: the older epochs are still refused
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                assertEquals(
                        List.of(Errors.INVALID_PRODUCER_EPOCH),
                        send(wire, marker(10, (short) 2, false, 5, topic, List.of(0))));
                assertEquals(
                        List.of(Errors.TRANSACTION_COORDINATOR_FENCED),
                        send(wire, marker(10, (short) 3, false, 4, topic, List.of(1))));
            }
        }
    }
}
