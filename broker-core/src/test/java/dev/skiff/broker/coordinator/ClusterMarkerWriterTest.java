package dev.skiff.broker.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.FakeController;
import dev.skiff.broker.txn.MarkerWriter;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterMarkerWriterTest {

    private final FakeController controller = new FakeController().broker(0).broker(1);
    private final List<String> written = new ArrayList<>();

    /** Broker {@code id}'s local writer: refuses partitions it does not lead in the image, as Coordinators does. */
    private MarkerWriter local(int id) {
        return (parts, pid, epoch, commit) -> {
            for (TopicPartition tp : parts) {
                if (controller.image().partition(tp.topic(), tp.partition()).leader() != id)
                    throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, tp + " is not led by " + id);
                written.add(id + ":" + tp + ":" + commit);
            }
        };
    }

    @Test
    void eachMarkerGoesToItsPartitionsLeaderAndInternalTopicsGetNone() {
        controller.topic("a", 0, 1);
        new ClusterMarkerWriter(controller::image, this::local, 1_000)
                .write(
                        List.of(
                                new TopicPartition("a", 0),
                                new TopicPartition("a", 1),
                                new TopicPartition(InternalTopics.GROUP_METADATA, 0),
                                new TopicPartition("deleted", 0)),
                        7,
                        (short) 0,
                        true);
        assertEquals(List.of("0:a-0:true", "1:a-1:true"), written);
    }

    @Test
    void aRefusedMarkerIsRetriedUntilTheNewLeaderTakesIt() {
        controller.topic("a", 0);
        AtomicLong calls = new AtomicLong();
        // broker 0 is still named in the image it is asked from, but the leadership has already moved to 1
        MarkerWriter stale = (parts, pid, epoch, commit) -> {
            if (calls.incrementAndGet() == 2) controller.topic("a", 1); // the new image is published meanwhile
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "moved");
        };
        new ClusterMarkerWriter(controller::image, id -> id == 0 ? stale : local(id), 10_000)
                .write(List.of(new TopicPartition("a", 0)), 7, (short) 0, false);
        assertEquals(List.of("1:a-0:false"), written);
    }

    @Test
    void withoutALeaderTheWriteFailsAfterItsRetryTime() {
        controller.topic("a", -1);
        AtomicLong now = new AtomicLong();
        ClusterMarkerWriter w = new ClusterMarkerWriter(controller::image, this::local, 100, () -> now.addAndGet(30));
        assertEquals(
                Errors.COORDINATOR_NOT_AVAILABLE,
                assertThrows(ApiException.class, () -> w.write(List.of(new TopicPartition("a", 0)), 7, (short) 0, true))
                        .error());
    }
}
