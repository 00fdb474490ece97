package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * AlterReplicaLogDirs from a hostile client over a real socket: paths that climb out of the data dir ({@code ..}),
 * name it with a trailing separator, or run to 30,000 characters; 20,000 partitions of one topic; negative and
 * huge partition indexes; a topic name longer than a directory name may be. Nothing moves and no directory is
 * made: each partition gets Kafka's error, and the broker serves on and restarts intact.
 */
class AlterReplicaLogDirsHostileTest {

    private static List<Errors> send(KafkaWire wire, String path, String topic, List<Integer> partitions)
            throws Exception {
        AlterReplicaLogDirsRequestData req = new AlterReplicaLogDirsRequestData();
        AlterReplicaLogDirsRequestData.AlterReplicaLogDir d =
                new AlterReplicaLogDirsRequestData.AlterReplicaLogDir().setPath(path);
        d.topics()
                .add(new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic()
                        .setName(topic)
                        .setPartitions(partitions));
        req.dirs().add(d);
        AlterReplicaLogDirsResponseData r = wire.send(req, 2);
        List<Errors> out = new ArrayList<>();
        for (var t : r.results()) for (var p : t.partitions()) out.add(Errors.forCode(p.errorCode()));
        return out;
    }

    @Test
    void hostileMovesAreRefusedAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            String topic = survival.topic();
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                DescribeLogDirsResponseData d = wire.send(new DescribeLogDirsRequestData().setTopics(null), 4);
                String dir = d.results().get(0).logDir();
                assertEquals(List.of(Errors.NONE, Errors.NONE), send(wire, dir, topic, List.of(0, 1)));
                for (String path : List.of(
                        dir + "/..",
                        dir + "/",
                        dir + "/../" + java.nio.file.Path.of(dir).getFileName(),
                        "x".repeat(30_000),
                        "")) assertEquals(List.of(Errors.LOG_DIR_NOT_FOUND), send(wire, path, topic, List.of(0)), path);
                assertEquals(
                        List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION),
                        send(wire, dir, topic, List.of(-1, Integer.MAX_VALUE)));
                assertEquals(List.of(Errors.INVALID_TOPIC_EXCEPTION), send(wire, dir, "t".repeat(240), List.of(0)));
                List<Integer> many = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) many.add(i);
                List<Errors> all = send(wire, dir, topic, many);
                assertEquals(20_000, all.size());
                assertTrue(all.subList(2, all.size()).stream().allMatch(e -> e == Errors.UNKNOWN_TOPIC_OR_PARTITION));
            }
            survival.assertServedAndRestartsIntact();
        }
    }
}
