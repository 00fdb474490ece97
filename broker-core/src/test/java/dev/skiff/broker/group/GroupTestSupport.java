package dev.skiff.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builders for join requests and consumer subscriptions in the coordinator's tests. */
final class GroupTestSupport {

    static final String GROUP = "g";
    static final int SESSION = 10_000;
    static final int REBALANCE = 30_000;

    private GroupTestSupport() {}

    /** A consumer protocol subscription (version 0): the topics and null user data. */
    static byte[] subscription(String... topics) {
        int size = 2 + 4 + 4;
        for (String t : topics) size += 2 + t.getBytes(StandardCharsets.UTF_8).length;
        ByteBuffer b = ByteBuffer.allocate(size).putShort((short) 0).putInt(topics.length);
        for (String t : topics) {
            byte[] s = t.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) s.length).put(s);
        }
        return b.putInt(-1).array();
    }

    static JoinRequest join(String memberId, String instanceId, short version, List<GroupProtocol> protocols) {
        return new JoinRequest(
                GROUP,
                memberId,
                instanceId,
                "consumer",
                protocols,
                SESSION,
                REBALANCE,
                "client",
                "/127.0.0.1",
                version);
    }

    static JoinRequest join(String memberId, String... topics) {
        return join(memberId, null, (short) 9, List.of(new GroupProtocol("range", subscription(topics))));
    }

    static JoinRequest staticJoin(String memberId, String instanceId, String... topics) {
        return join(memberId, instanceId, (short) 9, List.of(new GroupProtocol("range", subscription(topics))));
    }
}
