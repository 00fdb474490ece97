package dev.skiff.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one classic group: members, generation, chosen protocol and leader. Not thread safe: the
 * coordinator holds the group's monitor around every use.
 */
final class ClassicGroup {

    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    long stateTimestampMs;

    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED whose second JoinGroup has not come yet. */
    final Set<String> pendingMembers = new HashSet<>();

    /** Bumped at each rebalance so that timers of an earlier one do nothing. */
    long rebalanceEpoch;
    /** The initial delay of a new group: the join does not complete before this time. */
    long joinNotBeforeMs;

    long joinDeadlineMs;
    boolean newMemberAdded;

    ClassicGroup(String groupId) {
        this.groupId = groupId;
    }

    void transition(GroupState to, long nowMs) {
        state = to;
        stateTimestampMs = nowMs;
    }

    boolean has(String memberId) {
        return memberId != null && members.containsKey(memberId);
    }

    GroupMember get(String memberId) {
        return memberId == null ? null : members.get(memberId);
    }

    List<GroupMember> members() {
        return new ArrayList<>(members.values());
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    int size() {
        return members.size();
    }

    boolean isLeader(String memberId) {
        return memberId != null && memberId.equals(leaderId);
    }

    String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMembers.get(groupInstanceId);
    }

    /** A static member whose instance id now belongs to another member id. */
    boolean isFenced(String memberId, String groupInstanceId) {
        String current = staticMemberId(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    void add(GroupMember m) {
        members.put(m.memberId, m);
        if (m.isStatic()) staticMembers.put(m.groupInstanceId, m.memberId);
        if (leaderId == null) leaderId = m.memberId;
    }

    void remove(String memberId) {
        GroupMember m = members.remove(memberId);
        if (m == null) return;
        if (m.isStatic() && memberId.equals(staticMembers.get(m.groupInstanceId)))
            staticMembers.remove(m.groupInstanceId);
        if (memberId.equals(leaderId))
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }

    /** Puts {@code replacement} (same instance id) where {@code oldId} was, keeping leadership. */
    void replace(String oldId, GroupMember replacement) {
        boolean wasLeader = oldId.equals(leaderId);
        Map<String, GroupMember> copy = new LinkedHashMap<>(members);
        members.clear();
        copy.forEach((id, m) ->
                members.put(id.equals(oldId) ? replacement.memberId : id, id.equals(oldId) ? replacement : m));
        staticMembers.put(replacement.groupInstanceId, replacement.memberId);
        if (wasLeader) leaderId = replacement.memberId;
    }

    /** Whether a member joining with this type and these protocols could be part of the group. */
    boolean supportsProtocols(String type, Set<String> names) {
        if (type == null || type.isEmpty() || names.isEmpty()) return false;
        if (members.isEmpty()) return true;
        if (!type.equals(protocolType)) return false;
        Set<String> common = candidates();
        common.retainAll(names);
        return !common.isEmpty();
    }

    /** Protocols every member supports, in the order of the first member's preference. */
    Set<String> candidates() {
        Set<String> common = null;
        for (GroupMember m : members.values()) {
            Set<String> mine = new LinkedHashSet<>();
            m.protocols.forEach(p -> mine.add(p.name()));
            if (common == null) common = mine;
            else common.retainAll(mine);
        }
        return common == null ? new LinkedHashSet<>() : common;
    }

    /** Kafka's rule: each member votes for its most preferred common protocol; most votes wins. */
    String selectProtocol() {
        Set<String> candidates = candidates();
        Map<String, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(c -> votes.put(c, 0));
        for (GroupMember m : members.values()) votes.merge(m.vote(candidates), 1, Integer::sum);
        String best = null;
        for (Map.Entry<String, Integer> e : votes.entrySet())
            if (best == null || e.getValue() > votes.get(best)) best = e.getKey();
        return best;
    }

    /** Every member has sent its JoinGroup of this rebalance and no MEMBER_ID_REQUIRED round is open. */
    boolean allMembersJoined() {
        if (!pendingMembers.isEmpty()) return false;
        for (GroupMember m : members.values()) if (m.awaitingJoin == null) return false;
        return true;
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember m : members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
        return max;
    }

    /** Topics the live members subscribe to (consumer protocol only; null when unknown). */
    Set<String> subscribedTopics() {
        if (!ConsumerSubscription.PROTOCOL_TYPE.equals(protocolType)) return null;
        Set<String> topics = new HashSet<>();
        for (GroupMember m : members.values()) {
            for (GroupProtocol p : m.protocols) {
                if (protocolName != null && !p.name().equals(protocolName)) continue;
                Set<String> t = ConsumerSubscription.topics(p.metadata());
                if (t == null) return null;
                topics.addAll(t);
            }
        }
        return topics;
    }
}
