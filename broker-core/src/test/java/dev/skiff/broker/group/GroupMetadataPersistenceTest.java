package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group metadata and offsets written to __consumer_offsets and read back by a new coordinator. */
class GroupMetadataPersistenceTest {

    @TempDir Path dir;
    private final ManualTimer timer = new ManualTimer();
    private final BrokerConfig config = BrokerConfig.defaults();

    private interface WithStore { void run(OffsetStore store, GroupCoordinator coordinator); }

    private void open(WithStore body) {
        TopicManager topics = new TopicManager(config, LogFactory.files(dir));
        try {
            OffsetStore store = new OffsetStore(topics, config);
            body.run(store, new GroupCoordinator(store, timer, 0, 1000, 300_000));
        } finally {
            topics.close();
        }
    }

    @Test
    void theLastGenerationAndOffsetsSurviveARestartButMembersMustRejoin() {
        TopicPartition tp = new TopicPartition("t", 0);
        open((store, c) -> {
            String id = c.join(join("")).join().memberId();
            c.join(join(id, "t")).join();
            c.sync(GROUP, 1, id, null, "consumer", "range", Map.of(id, new byte[] {1}), (short) 5).join();
            String other = c.join(join("")).join().memberId();
            c.join(join(other, "t"));
            c.join(join(id, "t")).join();
            c.sync(GROUP, 2, id, null, "consumer", "range", Map.of(), (short) 5).join();
            assertEquals(Errors.NONE, c.validateCommit(GROUP, 2, id, null));
            store.commit(GROUP, Map.of(tp, new CommittedOffset(42, -1, "", 0)));
        });
        open((store, c) -> {
            assertEquals(2, c.generation(GROUP));
            assertEquals(GroupState.EMPTY, c.state(GROUP));
            assertEquals(42, store.fetch(GROUP, tp).offset());
            assertEquals("consumer", c.describe(GROUP).protocolType());
            String id = c.join(join("")).join().memberId();
            assertEquals(3, c.join(join(id, "t")).join().generationId());
            assertEquals(List.of(Errors.NONE), c.leave(GROUP, List.of(new GroupCoordinator.Leaving(id, null))));
            assertEquals(Errors.NONE, c.delete(GROUP));
        });
        open((store, c) -> {
            assertNull(c.state(GROUP));
            assertNull(store.fetch(GROUP, tp));
            assertEquals(Errors.GROUP_ID_NOT_FOUND, c.delete(GROUP));
        });
    }

    @Test
    void groupValuesRoundTripInKafkasLayout() {
        GroupMetadataRecords.Value v = new GroupMetadataRecords.Value("consumer", 7, "range", "m-1", 123,
                List.of(new GroupMetadataRecords.MemberValue("m-1", "i", "c", "/h", 30000, 10000, new byte[] {1, 2}, new byte[] {3})));
        GroupMetadataRecords.Value back = GroupMetadataRecords.readValue(GroupMetadataRecords.value(v));
        assertEquals(7, back.generation());
        assertEquals("range", back.protocol());
        assertEquals("i", back.members().get(0).groupInstanceId());
        assertEquals(30000, back.members().get(0).rebalanceTimeoutMs());
        assertEquals(GROUP, GroupMetadataRecords.readKey(GroupMetadataRecords.key(GROUP)));
    }
}
