package dev.skiff.broker.share;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The membership of share groups (KIP-932): members join, heartbeat and leave with ShareGroupHeartbeat; the
 * group epoch moves with every join, leave and subscription change, and each member's epoch follows it with its
 * assignment. Assignment is Kafka's simple share assignor's rule: with at least as many partitions as
 * subscribers, the partitions of a topic are spread over them; with more subscribers than partitions, every
 * subscriber gets one partition and several share each (records of a partition are still delivered to one
 * member at a time: the share partition's locks decide). Membership lives in memory only: after a restart
 * members join again (their next heartbeat answers UNKNOWN_MEMBER_ID), as their share-partition state survives.
 */
public final class ShareGroupCoordinator {

    /** A share group's member, as ShareGroupDescribe lists it. */
    public record MemberView(
            String memberId,
            String rackId,
            int memberEpoch,
            String clientId,
            String clientHost,
            List<String> subscribedTopicNames,
            Map<Uuid, List<Integer>> assignment) {}

    /** A share group as ShareGroupDescribe and ListGroups show it. */
    public record GroupView(
            String groupId, String state, int groupEpoch, int assignmentEpoch, List<MemberView> members) {}

    /** What a heartbeat answers: the member's epoch and, when it changed, its assignment (else null). */
    public record Heartbeat(
            String memberId, int memberEpoch, int heartbeatIntervalMs, Map<Uuid, List<Integer>> assignment) {}

    private static final class Member {
        final String id;
        int epoch;
        String rack;
        String clientId;
        String clientHost;
        List<String> subscribed = List.of();
        Map<Uuid, List<Integer>> assignment = Map.of();
        long deadline;

        Member(String id) {
            this.id = id;
        }
    }

    private static final class Group {
        final String id;
        int epoch;
        int assignmentEpoch;
        final Map<String, Member> members = new LinkedHashMap<>();

        Group(String id) {
            this.id = id;
        }
    }

    private final ShareConfig config;
    private final TopicManager topics;
    /** Whether a consumer group (classic or KIP-848) already has this id. */
    private final Predicate<String> otherGroupExists;
    /** Told (group, member) when a member leaves or is removed: its sessions end and its records go back. */
    private final BiConsumer<String, String> memberGone;

    private final Map<String, Group> groups = new TreeMap<>();
    /** The group configs: share.session.timeout.ms and share.heartbeat.interval.ms per group. */
    private final GroupConfigs groupConfigs;

    public ShareGroupCoordinator(
            ShareConfig config,
            TopicManager topics,
            Predicate<String> otherGroupExists,
            BiConsumer<String, String> memberGone,
            GroupConfigs groupConfigs) {
        this.groupConfigs = groupConfigs;
        this.config = config;
        this.topics = topics;
        this.otherGroupExists = otherGroupExists;
        this.memberGone = memberGone;
    }

    public Heartbeat heartbeat(
            String groupId,
            String memberId,
            int memberEpoch,
            String rackId,
            List<String> subscribedTopicNames,
            String clientId,
            String clientHost,
            long now) {
        if (groupId == null || groupId.isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        if (memberId == null || memberId.isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        if (!InternalTopicLog.fits(groupId))
            throw new ApiException(Errors.INVALID_GROUP_ID, "The group id is too long.");
        if (memberEpoch < -1) throw new ApiException(Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        if (memberEpoch == 0 && (subscribedTopicNames == null || subscribedTopicNames.isEmpty()))
            throw new ApiException(Errors.INVALID_REQUEST, "SubscribedTopicNames must be set in first request.");
        if (subscribedTopicNames != null)
            for (String t : subscribedTopicNames)
                if (t == null || t.isEmpty() || t.length() > 249)
                    throw new ApiException(Errors.INVALID_REQUEST, "A subscribed topic name is invalid.");
        String gone = null;
        Heartbeat answer;
        synchronized (this) {
            Group g = groups.get(groupId);
            if (g == null) {
                if (otherGroupExists.test(groupId))
                    throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a share group.");
                if (memberEpoch != 0)
                    throw new ApiException(
                            Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId);
                g = new Group(groupId);
                groups.put(groupId, g);
            }
            Member m = g.members.get(memberId);
            if (memberEpoch == -1) {
                if (m != null) {
                    g.members.remove(memberId);
                    g.epoch++;
                    gone = memberId;
                }
                answer = new Heartbeat(memberId, -1, 0, null);
            } else {
                if (memberEpoch == 0) {
                    if (m == null) {
                        if (g.members.size() >= config.maxGroupSize())
                            throw new ApiException(
                                    Errors.GROUP_MAX_SIZE_REACHED,
                                    "The share group has reached its maximum size of " + config.maxGroupSize());
                        m = new Member(memberId);
                        g.members.put(memberId, m);
                    }
                    g.epoch++;
                } else {
                    if (m == null)
                        throw new ApiException(
                                Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId);
                    if (memberEpoch != m.epoch)
                        throw new ApiException(
                                Errors.FENCED_MEMBER_EPOCH,
                                "The member epoch " + memberEpoch + " is not the current one, " + m.epoch);
                }
                if (subscribedTopicNames != null) {
                    List<String> sorted = List.copyOf(new TreeSet<>(subscribedTopicNames));
                    if (!sorted.equals(m.subscribed)) {
                        m.subscribed = sorted;
                        if (memberEpoch != 0) g.epoch++;
                    }
                }
                if (rackId != null) m.rack = rackId;
                m.clientId = clientId;
                m.clientHost = clientHost;
                m.deadline = now + groupConfigs.shareSessionTimeoutMs(groupId, config.sessionTimeoutMs());
                Map<Uuid, List<Integer>> target = assignmentOf(g, m);
                Map<Uuid, List<Integer>> changed = null;
                if (m.epoch != g.epoch || !target.equals(m.assignment)) {
                    if (!target.equals(m.assignment)) g.epoch = Math.max(g.epoch, m.epoch + 1);
                    m.assignment = target;
                    m.epoch = g.epoch;
                    g.assignmentEpoch = g.epoch;
                    changed = target;
                }
                answer = new Heartbeat(
                        memberId,
                        m.epoch,
                        groupConfigs.shareHeartbeatIntervalMs(groupId, config.heartbeatIntervalMs()),
                        changed);
            }
        }
        if (gone != null) memberGone.accept(groupId, gone);
        return answer;
    }

    /** The simple assignor's share of {@code m}, recomputed from the members and the topics as they are now. */
    private Map<Uuid, List<Integer>> assignmentOf(Group g, Member m) {
        Map<Uuid, List<Integer>> out = new TreeMap<>(java.util.Comparator.comparing(Uuid::toString));
        for (String name : m.subscribed) {
            Topic t = topics.get(name);
            if (t == null || t.internal() || t.partitions().isEmpty()) continue;
            List<String> subscribers = new ArrayList<>();
            for (Member other : g.members.values()) if (other.subscribed.contains(name)) subscribers.add(other.id);
            subscribers.sort(null);
            int n = subscribers.size(), p = t.partitions().size(), j = subscribers.indexOf(m.id);
            List<Integer> mine = new ArrayList<>();
            if (n <= p) {
                for (int i = j; i < p; i += n) mine.add(i);
            } else mine.add(j % p);
            out.put(t.id(), List.copyOf(mine));
        }
        return out;
    }

    /** Removes members whose session timed out; called periodically. */
    public void expireMembers(long now) {
        List<String[]> gone = new ArrayList<>();
        synchronized (this) {
            for (Group g : groups.values()) {
                var it = g.members.values().iterator();
                while (it.hasNext()) {
                    Member m = it.next();
                    if (m.deadline <= now) {
                        it.remove();
                        g.epoch++;
                        gone.add(new String[] {g.id, m.id});
                    }
                }
            }
        }
        for (String[] x : gone) memberGone.accept(x[0], x[1]);
    }

    /** Whether {@code groupId} is a share group here. */
    public synchronized boolean exists(String groupId) {
        return groups.containsKey(groupId);
    }

    /** Whether {@code memberId} is a member of share group {@code groupId} now. */
    public synchronized boolean isMember(String groupId, String memberId) {
        Group g = groups.get(groupId);
        return g != null && memberId != null && g.members.containsKey(memberId);
    }

    /** Whether the group has members (its offsets may then not be altered or deleted). */
    public synchronized boolean hasMembers(String groupId) {
        Group g = groups.get(groupId);
        return g != null && !g.members.isEmpty();
    }

    /** Adds a group known only from its share-partition state (after a restart), so it can be listed. */
    public synchronized void remember(String groupId) {
        if (!otherGroupExists.test(groupId)) groups.computeIfAbsent(groupId, Group::new);
    }

    /** Deletes an empty group; GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP otherwise. */
    public synchronized void delete(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " not found.");
        if (!g.members.isEmpty()) throw new ApiException(Errors.NON_EMPTY_GROUP, "Group " + groupId + " is not empty.");
        groups.remove(groupId);
    }

    /** The group, or null when there is no share group of that id. */
    public synchronized GroupView describe(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        List<MemberView> members = new ArrayList<>();
        for (Member m : g.members.values())
            members.add(new MemberView(
                    m.id,
                    m.rack,
                    m.epoch,
                    Objects.requireNonNullElse(m.clientId, ""),
                    Objects.requireNonNullElse(m.clientHost, ""),
                    m.subscribed,
                    m.assignment));
        return new GroupView(g.id, g.members.isEmpty() ? "Empty" : "Stable", g.epoch, g.assignmentEpoch, members);
    }

    /** Every share group. */
    public synchronized Collection<GroupView> list() {
        List<GroupView> out = new ArrayList<>();
        for (String id : groups.keySet()) out.add(describe(id));
        return out;
    }
}
