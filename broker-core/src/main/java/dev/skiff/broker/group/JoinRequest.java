package dev.skiff.broker.group;

import java.util.List;

/** What a JoinGroup asks, with who sent it; {@code version} decides MEMBER_ID_REQUIRED and skip-assignment. */
public record JoinRequest(
        String groupId,
        String memberId,
        String groupInstanceId,
        String protocolType,
        List<GroupProtocol> protocols,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        String clientId,
        String clientHost,
        short version) {}
