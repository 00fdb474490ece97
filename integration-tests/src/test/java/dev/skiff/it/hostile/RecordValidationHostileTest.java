package dev.skiff.it.hostile;

import static dev.skiff.it.hostile.CodecAttacks.batch;
import static dev.skiff.it.hostile.CodecAttacks.concat;
import static dev.skiff.it.hostile.CodecAttacks.record;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.Errors;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Batches whose header and CRC are valid but whose records are not, written by hand and produced over a raw
 * socket: unreadable records are CORRUPT_MESSAGE, control batches from a client and offsets out of order
 * INVALID_RECORD, as Kafka answers. Nothing of them is stored; the broker serves on and restarts intact.
 */
class RecordValidationHostileTest {
    private static final short V3 = 3;

    @Test
    void badRecordsAreRefusedAndNothingIsStored() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic("validated", 1);
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("validated-compacted", 1, (short) 1)
                                .configs(Map.of("cleanup.policy", "compact"))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }

            byte[] r0 = record(0, "k", "value-0");
            byte[] r1 = record(1, "k", "value-1");
            byte[] lengthBeyond = r0.clone();
            lengthBeyond[0] = (byte) (2 * 60); // zig-zag 60: more than the record holds
            byte[] negativeHeaders = record(0, "k", "v");
            negativeHeaders[negativeHeaders.length - 1] = 5; // header count -3
            byte[] truncatedVarint = concat(r0, new byte[] {
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80
            });

            try (RawConnection c = new RawConnection(broker.host(), broker.port())) {
                int id = 100;
                for (byte[] bad : List.of(
                        batch(0, 0, 1, lengthBeyond),
                        batch(0, 0, 1, negativeHeaders),
                        batch(0, 0, 2, truncatedVarint),
                        batch(0, 0, 3, concat(r0, r1, new byte[r0.length])), // third record: zeros
                        batch(0, 0, 1, concat(r0, new byte[] {0, 0, 0, 0, 0, 0, 0})), // bytes after the last record
                        batch(1, 0, 1, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8}))) { // not deflate
                    assertEquals(
                            Errors.CORRUPT_MESSAGE.code(),
                            CodecAttacks.produceError(c, V3, id++, "validated", bad),
                            "unreadable records, answer " + id);
                }
                byte[] control = batch(0, 0x30, 1, record(0, "\0\0\0\1", "\0\0\0\0\0\0")); // transactional + control
                assertEquals(
                        Errors.INVALID_RECORD.code(),
                        CodecAttacks.produceError(c, V3, id++, "validated", control),
                        "clients may not write control batches");
                assertEquals(
                        Errors.INVALID_RECORD.code(),
                        CodecAttacks.produceError(c, V3, id++, "validated", batch(0, 0, 2, concat(r1, r0))),
                        "offset deltas out of order");
                assertEquals(
                        Errors.INVALID_RECORD.code(),
                        CodecAttacks.produceError(c, V3, id++, "validated-compacted", batch(0, 0, 1, keyless())),
                        "a record without key on a compacted topic");
                // a good batch on the same connection is still taken
                assertEquals(
                        Errors.NONE.code(),
                        CodecAttacks.produceError(c, V3, id++, "validated", batch(0, 0, 2, concat(r0, r1))));
            }
            assertEquals(2, broker.recordCount("validated"), "only the good batch was stored");
            assertEquals(0, broker.recordCount("validated-compacted"));
            survival.assertServedAndRestartsIntact();
            assertEquals(2, broker.recordCount("validated"), "and it is still there after the restart");
        }
    }

    /** A record with a null key. */
    private static byte[] keyless() {
        ByteBuffer body = ByteBuffer.allocate(16);
        body.put((byte) 0);
        CodecAttacks.varint(0, body);
        CodecAttacks.varint(0, body);
        CodecAttacks.varint(-1, body);
        CodecAttacks.varint(1, body);
        body.put((byte) 'v');
        CodecAttacks.varint(0, body);
        ByteBuffer out = ByteBuffer.allocate(body.position() + 1);
        CodecAttacks.varint(body.position(), out);
        out.put(body.array(), 0, body.position());
        return out.array();
    }
}
