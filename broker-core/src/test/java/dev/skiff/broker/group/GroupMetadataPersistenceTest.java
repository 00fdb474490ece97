package dev.skiff.broker.group;

import static dev.skiff.broker.group.GroupTestSupport.GROUP;
import static dev.skiff.broker.group.GroupTestSupport.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group metadata and offsets written to __consumer_offsets and read back by a new coordinator. */
class GroupMetadataPersistenceTest {

    @TempDir
    Path dir;

    private final ManualTimer timer = new ManualTimer();
    private final BrokerConfig config = BrokerConfig.defaults();

    private interface WithStore {
        void run(OffsetStore store, GroupCoordinator coordinator);
    }

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
            c.sync(GROUP, 1, id, null, "consumer", "range", Map.of(id, new byte[] {1}), (short) 5)
                    .join();
            String other = c.join(join("")).join().memberId();
            c.join(join(other, "t"));
            c.join(join(id, "t")).join();
            c.sync(GROUP, 2, id, null, "consumer", "range", Map.of(), (short) 5).join();
            c.validateCommit(GROUP, 2, id, null);
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
            c.delete(GROUP);
        });
        open((store, c) -> {
            assertNull(c.state(GROUP));
            assertNull(store.fetch(GROUP, tp));
            assertEquals(
                    Errors.GROUP_ID_NOT_FOUND,
                    assertThrows(ApiException.class, () -> c.delete(GROUP)).error());
        });
    }

    @Test
    void recordsWrittenInKafkasLayoutByEarlierSkiffAreRead() {
        // key: type 2, group; value: version 3 as Skiff wrote it by hand before the generated classes
        ByteBuffer key = ByteBuffer.allocate(2 + 2 + 1)
                .putShort((short) 2)
                .putShort((short) 1)
                .put((byte) 'g');
        ByteBuffer value = ByteBuffer.allocate(200).putShort((short) 3);
        putString(value, "consumer").putInt(7);
        putString(value, "range");
        putString(value, "m-1").putLong(123).putInt(1);
        putString(value, "m-1");
        putString(value, "i");
        putString(value, "c");
        putString(value, "/h")
                .putInt(30000)
                .putInt(10000)
                .putInt(2)
                .put(new byte[] {1, 2})
                .putInt(1)
                .put((byte) 3);
        GroupRecords.Group g = (GroupRecords.Group)
                GroupRecords.decode(key.array(), java.util.Arrays.copyOf(value.array(), value.position()));
        assertEquals(GROUP, g.group());
        assertEquals(7, g.value().generation());
        assertEquals("range", g.value().protocol());
        assertEquals("i", g.value().members().get(0).groupInstanceId());
        assertEquals(30000, g.value().members().get(0).rebalanceTimeout());
        assertArrayEquals(new byte[] {3}, g.value().members().get(0).assignment());
        // and what Skiff writes now is those same bytes
        assertArrayEquals(key.array(), GroupRecords.groupKey(GROUP));
        assertArrayEquals(java.util.Arrays.copyOf(value.array(), value.position()), GroupRecords.groupValue(g.value()));

        // offset commit: key type 1 (group, topic, partition), value version 3
        ByteBuffer ok = ByteBuffer.allocate(2 + 3 + 3 + 4).putShort((short) 1);
        putString(ok, "g");
        putString(ok, "t").putInt(4);
        ByteBuffer ov = ByteBuffer.allocate(2 + 8 + 4 + 4 + 8)
                .putShort((short) 3)
                .putLong(42)
                .putInt(5);
        putString(ov, "md").putLong(99);
        GroupRecords.Offset o = (GroupRecords.Offset) GroupRecords.decode(ok.array(), ov.array());
        assertEquals(new TopicPartition("t", 4), o.tp());
        assertEquals(new CommittedOffset(42, 5, "md", 99), o.value());
        assertArrayEquals(ok.array(), GroupRecords.offsetKey("g", new TopicPartition("t", 4)));
        assertArrayEquals(ov.array(), GroupRecords.offsetValue(o.value()));
        // a commit with its own retention is written as Kafka writes it: value version 1 with the expire timestamp
        ByteBuffer v1 =
                ByteBuffer.allocate(2 + 8 + 4 + 8 + 8).putShort((short) 1).putLong(42);
        putString(v1, "md").putLong(99).putLong(1099);
        assertArrayEquals(v1.array(), GroupRecords.offsetValue(new CommittedOffset(42, -1, "md", 99, 1099)));
        assertEquals(
                new CommittedOffset(42, -1, "md", 99, 1099),
                ((GroupRecords.Offset) GroupRecords.decode(ok.array(), v1.array())).value());
    }

    private static ByteBuffer putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return b.putShort((short) bytes.length).put(bytes);
    }
}
