package dev.skiff.it.hostile;

import static dev.skiff.it.hostile.CodecAttacks.MB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.Errors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs sent over a real socket to a broker with a 256 MB heap: a 1.5 MB Produce v2 of six
 * legacy gzip wrappers that each inflate to 250 MB, and a 1.2 MB v2 gzip batch that inflates to 1.2 GB, to a
 * plain and to a compacted topic. Each is answered with Kafka's error for that partition, nothing is stored,
 * and the broker stays alive, serves a normal client and restarts with its data intact.
 */
class DecompressionBombTest {

    @Test
    void bombsAreRefusedAndTheBrokerServesOnAndRestartsIntact(@TempDir Path dataDir) throws Exception {
        byte[] wrapper = CodecAttacks.legacyGzipWrapper(250L * MB);
        byte[] legacySet = CodecAttacks.concat(wrapper, wrapper, wrapper, wrapper, wrapper, wrapper);
        byte[] bomb = CodecAttacks.gzipBombBatch(1200L * MB);
        assertTrue(
                legacySet.length < 2 * MB && bomb.length < 2 * MB, legacySet.length + " and " + bomb.length + " bytes");

        try (MemoryCappedBroker broker = MemoryCappedBroker.start(dataDir)) {
            MemoryCappedBroker.Baseline baseline = MemoryCappedBroker.Baseline.before(broker);
            broker.createTopic("bombed", 1, Map.of());
            broker.createTopic("bombed-compacted", 1, Map.of("cleanup.policy", "compact"));

            try (RawConnection c = new RawConnection("127.0.0.1", broker.port())) {
                for (int i = 0; i < 3; i++) { // once would have taken 1.5 GB
                    assertEquals(
                            Errors.MESSAGE_TOO_LARGE.code(),
                            CodecAttacks.produceError(c, (short) 2, 10 + i, "bombed", legacySet),
                            "legacy wrappers");
                    assertEquals(
                            Errors.MESSAGE_TOO_LARGE.code(),
                            CodecAttacks.produceError(c, (short) 2, 20 + i, "bombed-compacted", legacySet),
                            "legacy, compacted");
                }
                assertEquals(
                        Errors.RECORD_LIST_TOO_LARGE.code(),
                        CodecAttacks.produceError(c, (short) 3, 30, "bombed", bomb),
                        "gzip batch");
                assertEquals(
                        Errors.RECORD_LIST_TOO_LARGE.code(),
                        CodecAttacks.produceError(c, (short) 8, 31, "bombed-compacted", bomb),
                        "gzip batch, compacted");
            }
            broker.assertAlive();
            assertEquals(0, broker.endOffset("bombed"), "nothing of the bombs was stored");
            assertEquals(0, broker.endOffset("bombed-compacted"), "nothing of the bombs was stored");
            baseline.assertServedAndRestartsIntact();
        }
    }
}
