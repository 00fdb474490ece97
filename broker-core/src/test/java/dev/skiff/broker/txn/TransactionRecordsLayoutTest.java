package dev.skiff.broker.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transaction log's bytes are the ones Skiff wrote by hand before its records were generated. */
class TransactionRecordsLayoutTest {

    private static ByteBuffer putString(ByteBuffer b, String s) {
        if (s == null) return b.putShort((short) -1);
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return b.putShort((short) bytes.length).put(bytes);
    }

    @Test
    void valuesInTheEarlierLayoutAreReadAndWrittenTheSame() {
        // Kafka's TransactionLogValue v0, then Skiff's section v1: last epoch and the pending offsets
        ByteBuffer b = ByteBuffer.allocate(256)
                .putShort((short) 0)
                .putLong(17)
                .putShort((short) 3)
                .putInt(60_000)
                .put(TransactionState.ONGOING.id)
                .putInt(1);
        putString(b, "t").putInt(1).putInt(0);
        b.putLong(2_000).putLong(1_000).putShort((short) 1).putShort((short) 2).putInt(1);
        putString(b, "g").putInt(1);
        putString(b, "t").putInt(1).putLong(42).putInt(-1);
        putString(b, null).putLong(1_500);
        byte[] earlier = Arrays.copyOf(b.array(), b.position());

        TransactionMetadata m = TransactionRecords.readValue("x", earlier);
        TransactionMetadata expected = new TransactionMetadata(
                "x",
                17,
                (short) 3,
                (short) 2,
                60_000,
                TransactionState.ONGOING,
                Set.of(new TopicPartition("t", 0)),
                Map.of("g", Map.of(new TopicPartition("t", 1), new CommittedOffset(42, -1, null, 1_500))),
                1_000,
                2_000);
        assertEquals(expected, m);
        assertArrayEquals(earlier, TransactionRecords.value(m));

        ByteBuffer key = ByteBuffer.allocate(5).putShort((short) 0);
        putString(key, "x");
        assertArrayEquals(key.array(), TransactionRecords.key("x"));
        assertEquals("x", TransactionRecords.readKey(key.array()));
    }
}
