package dev.skiff.broker.group;

import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.SyncGroupResponseData;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One member of a classic group: what it joined with, its assignment and the answers it waits for. */
final class GroupMember {

    final String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<GroupProtocol> protocols;
    byte[] assignment = new byte[0];

    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    long lastHeartbeatMs;
    boolean isNew;
    /** True while a session expiry check is scheduled for this member. */
    boolean expiryScheduled;

    GroupMember(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int sessionTimeoutMs,
            int rebalanceTimeoutMs,
            List<GroupProtocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.protocols = List.copyOf(protocols);
    }

    /** A copy under a new member id (a static member rejoining), keeping its assignment. */
    GroupMember withId(String newMemberId) {
        GroupMember m = new GroupMember(
                newMemberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols);
        m.assignment = assignment;
        return m;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    /** This member's metadata for a protocol, or null when it does not support it. */
    byte[] metadata(String protocol) {
        for (GroupProtocol p : protocols) if (p.name().equals(protocol)) return p.metadata();
        return null;
    }

    boolean matches(List<GroupProtocol> other) {
        return protocols.equals(other);
    }

    /** The first of {@code candidates} in this member's order of preference. */
    String vote(java.util.Set<String> candidates) {
        for (GroupProtocol p : protocols) if (candidates.contains(p.name())) return p.name();
        throw new IllegalStateException("member " + memberId + " supports none of " + candidates);
    }
}
