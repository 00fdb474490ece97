package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.RawConnection;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.RequestHeaderData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 30 MB requests made of the cheapest elements the protocol has, sent to a broker with a 256 MB heap: decoded
 * naively they would hold 0.8 to 1.2 GB (a one-character string or a three-byte struct takes 20 to 40 times
 * its size in heap). The decoder refuses them once they would hold more than a small multiple of their size,
 * which closes that connection only; the broker stays alive, serves a normal client and restarts intact.
 */
class DecoderMemoryTest {
    private static final int SIZE = 30 * 1024 * 1024;

    @Test
    void manyElementRequestsCloseOnlyTheirConnection(@TempDir Path dataDir) throws Exception {
        try (MemoryCappedBroker broker = MemoryCappedBroker.start(dataDir)) {
            MemoryCappedBroker.Baseline baseline = MemoryCappedBroker.Baseline.before(broker);
            for (byte[] frame : new byte[][] {deleteGroupsOfOneCharNames(), offsetFetchOfEmptyGroups()}) {
                try (RawConnection c = new RawConnection("127.0.0.1", broker.port())) {
                    c.send(frame);
                    assertTrue(c.isClosedByBroker(), "the malformed request's connection is closed");
                }
                broker.assertAlive();
            }
            baseline.assertServedAndRestartsIntact();
        }
    }

    /** DeleteGroups v2: 15 million group names of one character (two bytes each on the wire). */
    private static byte[] deleteGroupsOfOneCharNames() {
        ProtocolWriter w = header(ApiKeys.DELETE_GROUPS, (short) 2);
        int n = SIZE / 2;
        w.writeUnsignedVarint(n + 1);
        for (int i = 0; i < n; i++) {
            w.writeUnsignedVarint(2);
            w.writeInt8((byte) 'a');
        }
        w.writeUnsignedVarint(0); // tagged fields
        return CodecAttacks.frame(w.toByteArray());
    }

    /** OffsetFetch v8: 10 million groups with an empty id and no topics (three bytes each). */
    private static byte[] offsetFetchOfEmptyGroups() {
        ProtocolWriter w = header(ApiKeys.OFFSET_FETCH, (short) 8);
        int n = SIZE / 3;
        w.writeUnsignedVarint(n + 1);
        for (int i = 0; i < n; i++) {
            w.writeUnsignedVarint(1); // group id ""
            w.writeUnsignedVarint(0); // topics: null (all)
            w.writeUnsignedVarint(0); // tagged fields
        }
        w.writeBool(false); // require stable
        w.writeUnsignedVarint(0); // tagged fields
        return CodecAttacks.frame(w.toByteArray());
    }

    private static ProtocolWriter header(ApiKeys api, short version) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(1)
                .setClientId("decoder-attack")
                .write(w, api.requestHeaderVersion(version));
        return w;
    }
}
