package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.EmbeddedSkiff;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * FindCoordinator, the request every group and transactional client starts with, sent with what a client
 * should not send: key types Skiff does not coordinate (share groups, unknown, negative), keys up to 1 MiB, thousands of keys in one request. Unknown key types are refused with INVALID_REQUEST;
 * keys of any size are answered (the key is only hashed, as in Kafka); the broker then serves a normal client
 * and restarts with everything acknowledged.
 */
class CoordinatorLookupHostileTest {

    private static short errorOf(FindCoordinatorResponseData r) {
        if (r.errorCode() != 0 || r.coordinators().isEmpty()) return r.errorCode();
        return r.coordinators().get(0).errorCode();
    }

    @Test
    void invalidKeyTypesAndOversizedKeysAreAnsweredAndTheBrokerSurvives() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                for (byte type : new byte[] {2, 3, 127, -1, -128}) {
                    FindCoordinatorResponseData batched = wire.send(
                            new FindCoordinatorRequestData().setKeyType(type).setCoordinatorKeys(List.of("g")), 4);
                    assertEquals(Errors.INVALID_REQUEST.code(), errorOf(batched), "key type " + type + " (v4)");
                    FindCoordinatorResponseData single = wire.send(
                            new FindCoordinatorRequestData().setKeyType(type).setKey("g"), 3);
                    assertEquals(Errors.INVALID_REQUEST.code(), single.errorCode(), "key type " + type + " (v3)");
                }
                // the longest key Kafka's clients write, and an empty one: hashed and answered
                String huge = "k".repeat(Short.MAX_VALUE);
                for (byte type : new byte[] {0, 1}) {
                    FindCoordinatorResponseData r = wire.send(
                            new FindCoordinatorRequestData().setKeyType(type).setCoordinatorKeys(List.of(huge, "")), 4);
                    assertEquals(2, r.coordinators().size());
                    for (FindCoordinatorResponseData.Coordinator c : r.coordinators()) {
                        assertEquals(Errors.NONE.code(), c.errorCode());
                        assertEquals(broker.port(), c.port());
                    }
                    FindCoordinatorResponseData old = wire.send(
                            new FindCoordinatorRequestData().setKeyType(type).setKey(huge), 3);
                    assertEquals(Errors.NONE.code(), old.errorCode());
                }
                // thousands of keys in one request: one answer each
                List<String> many = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) many.add("group-" + i);
                FindCoordinatorResponseData all = wire.send(
                        new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(many), 6);
                assertEquals(many.size(), all.coordinators().size());
                assertTrue(all.coordinators().stream().allMatch(c -> c.errorCode() == 0));
            }
            // a key of 1 MiB, which only a flexible version's compact string can carry, in a raw frame
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
                s.setSoTimeout(15_000);
                for (short version = 3; version <= 6; version++) {
                    var request = new dev.skiff.protocol.message.FindCoordinatorRequestData().setKeyType((byte) 1);
                    if (version == 3) request.setKey("t".repeat(1 << 20));
                    else request.setCoordinatorKeys(List.of("t".repeat(1 << 20)));
                    s.getOutputStream().write(RequestFrames.frame(ApiKeys.FIND_COORDINATOR, version, version, request));
                    s.getOutputStream().flush();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    int size = in.readInt();
                    assertEquals(version, in.readInt(), "answered in order on the same connection");
                    in.readFully(new byte[size - 4]);
                }
            }
            survival.assertServedAndRestartsIntact();
        }
    }
}
