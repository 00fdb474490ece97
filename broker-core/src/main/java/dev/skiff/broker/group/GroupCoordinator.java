package dev.skiff.broker.group;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.internal.records.GroupMetadataValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.SyncGroupResponseData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's classic group protocol: members join, the leader assigns, everyone syncs, heartbeats keep a
 * session alive. Each group moves Empty -> PreparingRebalance -> CompletingRebalance -> Stable (and back to
 * PreparingRebalance when membership changes); Dead once deleted. Every group has its own lock (its
 * monitor); there is no lock across groups. Answers that wait (JoinGroup, SyncGroup) complete a future later,
 * from another request or from a timer.
 *
 * <p>What a group keeps across restarts (generation, protocol, leader, members and their assignments) changes
 * only by writing its record to {@code __consumer_offsets} first and applying that record after, through the
 * same {@link #applyRecord} that restores groups at start. Committed offsets of groups without members
 * expire after {@code offsets.retention.minutes}, checked every {@code offsets.retention.check.interval.ms}.
 */
public final class GroupCoordinator {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    private final Map<String, ClassicGroup> groups = new ConcurrentHashMap<>();
    private final OffsetStore offsets;
    private final GroupTimer timer;
    private final long initialRebalanceDelayMs;
    private final int minSessionTimeoutMs;
    private final int maxSessionTimeoutMs;
    private final long offsetsRetentionMs;
    private final long retentionCheckIntervalMs;
    /** KIP-848 consumer groups (and classic members in them); null in tests without a store. */
    private ConsumerGroupCoordinator consumerGroups;
    /** Offsets an open transaction will still commit: never expired before it ends, as in Kafka. */
    private final PendingOffsets pendingTransactional;

    /** Asks whether an open transaction holds an offset of this group and partition not yet committed. */
    @FunctionalInterface
    public interface PendingOffsets {
        PendingOffsets NONE = (group, tp) -> false;

        boolean pending(String group, TopicPartition tp);
    }

    /** Kafka's offsets.retention.check.interval.ms default. */
    static final long DEFAULT_RETENTION_CHECK_INTERVAL_MS = 600_000;
    /** The length of the "-" and UUID a member id gets after its prefix. */
    private static final int MEMBER_ID_SUFFIX_BYTES = 37;

    public GroupCoordinator(
            OffsetStore offsets, BrokerConfig config, GroupTimer timer, PendingOffsets pendingTransactional) {
        this(
                offsets,
                timer,
                config.groupInitialRebalanceDelayMs,
                config.groupMinSessionTimeoutMs,
                config.groupMaxSessionTimeoutMs,
                config.offsetsRetentionMs,
                longSetting(config, "offsets.retention.check.interval.ms", DEFAULT_RETENTION_CHECK_INTERVAL_MS),
                pendingTransactional);
        if (offsets != null)
            consumerGroups = new ConsumerGroupCoordinator(
                    offsets,
                    offsets.topicCatalog(),
                    timer,
                    ConsumerGroupCoordinator.Settings.of(config),
                    new ConsumerGroupCoordinator.ClassicGroups() {
                        @Override
                        public boolean upgrade(
                                String groupId,
                                java.util.function.Consumer<ConsumerGroupCoordinator.ClassicView> takeOver) {
                            return upgradeToConsumerGroup(groupId, takeOver);
                        }

                        @Override
                        public boolean downgrade(
                                String groupId,
                                ConsumerGroupCoordinator.ClassicView view,
                                boolean rebalance,
                                java.util.function.Consumer<InternalTopicLog.Entry> write) {
                            return downgradeFromConsumerGroup(groupId, view, rebalance, write);
                        }
                    });
    }

    /** The KIP-848 consumer groups this coordinator also serves (null without a store). */
    public ConsumerGroupCoordinator consumerGroups() {
        return consumerGroups;
    }

    private boolean isConsumerGroup(String groupId) {
        return consumerGroups != null && consumerGroups.isConsumerGroup(groupId);
    }

    /**
     * Hands a classic group to the consumer-group coordinator for an upgrade (KIP-848's online migration): with
     * the group locked, its generation and members; dropped here once taken over.
     */
    private boolean upgradeToConsumerGroup(
            String groupId, java.util.function.Consumer<ConsumerGroupCoordinator.ClassicView> takeOver) {
        ClassicGroup g = groups.get(groupId);
        if (g == null) return false;
        synchronized (g) {
            if (g.state == GroupState.DEAD) return false;
            List<ConsumerGroupCoordinator.ClassicMember> members = new ArrayList<>();
            // a group in its first rebalance has chosen no protocol yet: the one it would choose
            String protocol = g.protocolName != null || g.candidates().isEmpty() ? g.protocolName : g.selectProtocol();
            for (GroupMember m : g.members())
                members.add(new ConsumerGroupCoordinator.ClassicMember(
                        m.memberId,
                        m.groupInstanceId,
                        m.clientId,
                        m.clientHost,
                        m.sessionTimeoutMs,
                        m.rebalanceTimeoutMs,
                        m.protocols,
                        m.metadata(protocol),
                        m.assignment));
            takeOver.accept(new ConsumerGroupCoordinator.ClassicView(
                    g.generationId, g.state == GroupState.STABLE, g.protocolType, members));
            for (GroupMember m : g.members()) {
                if (m.awaitingJoin != null)
                    m.awaitingJoin.complete(joinErrorResponse(Errors.REBALANCE_IN_PROGRESS, m.memberId, m.joinVersion));
                if (m.awaitingSync != null) m.awaitingSync.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                m.awaitingJoin = null;
                m.awaitingSync = null;
            }
            g.rebalanceEpoch++;
            g.transition(GroupState.DEAD, timer.nowMs());
            groups.remove(groupId, g);
            return true;
        }
    }

    /**
     * Takes over a consumer group whose last consumer-protocol member left (KIP-848's online downgrade), with the
     * consumer group locked: a classic group of its members, stable at the consumer group's epoch, each member with
     * its assignment in the version it subscribed with. Its record is written through {@code write} (with the
     * consumer group's tombstones), then applied; with {@code rebalance} the group rebalances so that the members
     * assign again.
     */
    private boolean downgradeFromConsumerGroup(
            String groupId,
            ConsumerGroupCoordinator.ClassicView view,
            boolean rebalance,
            java.util.function.Consumer<InternalTopicLog.Entry> write) {
        ClassicGroup existing = groups.get(groupId);
        if (existing != null) {
            synchronized (existing) {
                if (existing.state != GroupState.DEAD) return false;
            }
        }
        ClassicGroup g = new ClassicGroup(groupId);
        synchronized (g) {
            g.protocolType = view.protocolType();
            for (ConsumerGroupCoordinator.ClassicMember cm : view.members())
                g.add(new GroupMember(
                        cm.memberId(),
                        cm.instanceId(),
                        cm.clientId(),
                        cm.clientHost(),
                        cm.sessionTimeoutMs(),
                        cm.rebalanceTimeoutMs(),
                        cm.protocols()));
            if (g.isEmpty() || g.candidates().isEmpty()) return false;
            String protocol = g.selectProtocol();
            List<GroupMetadataValueData.MemberMetadata> members = new ArrayList<>();
            for (ConsumerGroupCoordinator.ClassicMember cm : view.members()) {
                GroupMember m = g.get(cm.memberId());
                Map<String, List<Integer>> assigned = ClassicConsumerProtocol.assignment(cm.assignment());
                byte[] assignment = ClassicConsumerProtocol.encodeAssignment(
                        ClassicConsumerProtocol.assignmentVersion(m.metadata(protocol)),
                        assigned == null ? Map.of() : assigned);
                members.add(memberRecord(protocol, m, assignment));
            }
            long now = timer.nowMs();
            GroupMetadataValueData record = groupRecord(g, view.generation(), protocol, g.leaderId, now, members);
            write.accept(new InternalTopicLog.Entry(GroupRecords.groupKey(groupId), GroupRecords.groupValue(record)));
            g.protocolName = protocol;
            g.transition(GroupState.STABLE, now);
            applyRecord(g, record);
            groups.put(groupId, g);
            for (GroupMember m : g.members()) touch(g, m);
            if (rebalance) prepareRebalance(g, "downgraded from a consumer group");
            return true;
        }
    }

    GroupCoordinator(
            OffsetStore offsets,
            GroupTimer timer,
            long initialRebalanceDelayMs,
            int minSessionTimeoutMs,
            int maxSessionTimeoutMs) {
        this(
                offsets,
                timer,
                initialRebalanceDelayMs,
                minSessionTimeoutMs,
                maxSessionTimeoutMs,
                7L * 24 * 3600 * 1000,
                DEFAULT_RETENTION_CHECK_INTERVAL_MS,
                PendingOffsets.NONE);
    }

    GroupCoordinator(
            OffsetStore offsets,
            GroupTimer timer,
            long initialRebalanceDelayMs,
            int minSessionTimeoutMs,
            int maxSessionTimeoutMs,
            long offsetsRetentionMs,
            long retentionCheckIntervalMs,
            PendingOffsets pendingTransactional) {
        this.offsets = offsets;
        this.pendingTransactional = pendingTransactional;
        this.timer = timer;
        this.initialRebalanceDelayMs = initialRebalanceDelayMs;
        this.minSessionTimeoutMs = minSessionTimeoutMs;
        this.maxSessionTimeoutMs = maxSessionTimeoutMs;
        this.offsetsRetentionMs = offsetsRetentionMs;
        this.retentionCheckIntervalMs = Math.max(1, retentionCheckIntervalMs);
        if (offsets != null) {
            offsets.groupMetadata().forEach(this::restore);
            timer.schedule(this.retentionCheckIntervalMs, this::periodicOffsetExpiry);
        }
    }

    /**
     * Restores the groups of one {@code __consumer_offsets} partition that the store has just loaded: this
     * broker became their coordinator. Groups already here are kept.
     */
    public void loadPartition(int partition) {
        if (offsets == null) return;
        consumerGroups.loadPartition(partition);
        offsets.groupMetadata().forEach((id, v) -> {
            if (offsets.partitionOf(id) == partition && !groups.containsKey(id)) restore(id, v);
        });
    }

    /**
     * Drops every group of one {@code __consumer_offsets} partition: its leadership moved to another broker.
     * Members waiting in JoinGroup or SyncGroup hear NOT_COORDINATOR and look for the new coordinator; the
     * groups' timers find them dead and do nothing.
     */
    public void unloadPartition(int partition) {
        if (offsets == null) return;
        consumerGroups.unloadPartition(partition);
        for (ClassicGroup g : groups.values()) {
            if (offsets.partitionOf(g.groupId) != partition) continue;
            synchronized (g) {
                for (GroupMember m : g.members()) {
                    if (m.awaitingJoin != null) {
                        m.awaitingJoin.complete(joinErrorResponse(Errors.NOT_COORDINATOR, m.memberId, m.joinVersion));
                        m.awaitingJoin = null;
                    }
                    if (m.awaitingSync != null) {
                        m.awaitingSync.complete(syncError(Errors.NOT_COORDINATOR));
                        m.awaitingSync = null;
                    }
                }
                g.rebalanceEpoch++;
                g.transition(GroupState.DEAD, timer.nowMs());
                groups.remove(g.groupId, g);
            }
        }
    }

    /** A group as it was last written: its generation and protocol type are kept, its members must rejoin. */
    private void restore(String groupId, GroupMetadataValueData v) {
        ClassicGroup g = new ClassicGroup(groupId);
        applyRecord(g, v);
        groups.put(groupId, g);
    }

    /**
     * Applies a group's record, written now or found at start. Members are not restored from it (after a
     * restart they rejoin), so the leader and protocol apply only to members the group has.
     */
    private static void applyRecord(ClassicGroup g, GroupMetadataValueData v) {
        g.generationId = v.generation();
        g.protocolType = v.protocolType() == null || v.protocolType().isEmpty() ? null : v.protocolType();
        g.stateTimestampMs = v.currentStateTimestamp();
        g.leaderId = g.has(v.leader()) ? v.leader() : null;
        g.protocolName = g.isEmpty() ? null : v.protocol();
        for (GroupMetadataValueData.MemberMetadata m : v.members()) {
            GroupMember member = g.get(m.memberId());
            if (member != null) member.assignment = m.assignment();
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    public CompletableFuture<JoinGroupResponseData> join(JoinRequest r) {
        CompletableFuture<JoinGroupResponseData> f = new CompletableFuture<>();
        if (r.groupId() == null || r.groupId().isEmpty() || !InternalTopicLog.fits(r.groupId()))
            return joinError(f, Errors.INVALID_GROUP_ID, r);
        if (!recordable(r)) return joinError(f, Errors.INVALID_REQUEST, r);
        if (isConsumerGroup(r.groupId())) {
            // a classic member of a consumer group: answered at once from the server's assignment
            JoinGroupResponseData answer = consumerGroups.classicJoin(r);
            if (answer != null) {
                f.complete(answer);
                return f;
            }
        }
        if (r.sessionTimeoutMs() < minSessionTimeoutMs || r.sessionTimeoutMs() > maxSessionTimeoutMs)
            return joinError(f, Errors.INVALID_SESSION_TIMEOUT, r);
        boolean unknownMember = r.memberId() == null || r.memberId().isEmpty();
        ClassicGroup g =
                unknownMember ? groups.computeIfAbsent(r.groupId(), ClassicGroup::new) : groups.get(r.groupId());
        if (g == null) return joinError(f, Errors.UNKNOWN_MEMBER_ID, r);
        synchronized (g) {
            Set<String> names = new HashSet<>();
            r.protocols().forEach(p -> names.add(p.name()));
            if (g.state == GroupState.DEAD) joinError(f, Errors.COORDINATOR_NOT_AVAILABLE, r);
            else if (!g.supportsProtocols(r.protocolType(), names)) joinError(f, Errors.INCONSISTENT_GROUP_PROTOCOL, r);
            else if (unknownMember) joinUnknownMember(g, r, f);
            else joinKnownMember(g, r, f);
            removeIfUnused(g);
        }
        return f;
    }

    /**
     * Whether every string of the join fits the group's record. Kafka refuses longer strings as an invalid
     * request when it parses one; Skiff answers INVALID_REQUEST before anything of the group changes.
     */
    private static boolean recordable(JoinRequest r) {
        if (!InternalTopicLog.fits(r.groupInstanceId())
                || !InternalTopicLog.fits(r.protocolType())
                || !InternalTopicLog.fits(r.clientHost())
                || !InternalTopicLog.fits(r.memberId())) return false;
        for (GroupProtocol p : r.protocols()) if (!InternalTopicLog.fits(p.name())) return false;
        // a new member's id is its instance id (or client id) with a UUID after it
        String prefix = r.groupInstanceId() != null ? r.groupInstanceId() : r.clientId() == null ? "" : r.clientId();
        return utf8Length(prefix) + MEMBER_ID_SUFFIX_BYTES <= InternalTopicLog.MAX_STRING_BYTES
                && InternalTopicLog.fits(r.clientId());
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private void joinUnknownMember(ClassicGroup g, JoinRequest r, CompletableFuture<JoinGroupResponseData> f) {
        String prefix = r.groupInstanceId() != null ? r.groupInstanceId() : r.clientId() == null ? "" : r.clientId();
        String newId = prefix + "-" + UUID.randomUUID();
        if (r.groupInstanceId() != null) {
            String oldId = g.staticMemberId(r.groupInstanceId());
            if (oldId != null) replaceStaticMember(g, oldId, newId, r, f);
            else addMemberAndRebalance(g, newId, r, f);
        } else if (r.version() >= 4) {
            // KIP-394: the member id is handed out first, so that a member lost between tries leaves no ghost
            g.pendingMembers.add(newId);
            schedulePendingExpiry(g, newId, r.sessionTimeoutMs());
            f.complete(new JoinGroupResponseData()
                    .setErrorCode(Errors.MEMBER_ID_REQUIRED.code())
                    .setMemberId(newId)
                    .setGenerationId(-1)
                    .setLeader("")
                    .setProtocolName(r.version() >= 7 ? null : ""));
        } else {
            addMemberAndRebalance(g, newId, r, f);
        }
    }

    private void joinKnownMember(ClassicGroup g, JoinRequest r, CompletableFuture<JoinGroupResponseData> f) {
        String memberId = r.memberId();
        if (g.pendingMembers.contains(memberId)) {
            addMemberAndRebalance(g, memberId, r, f);
            return;
        }
        if (g.isFenced(memberId, r.groupInstanceId())) {
            joinError(f, Errors.FENCED_INSTANCE_ID, r);
            return;
        }
        if (!g.has(memberId) || (r.groupInstanceId() != null && g.staticMemberId(r.groupInstanceId()) == null)) {
            joinError(f, Errors.UNKNOWN_MEMBER_ID, r);
            return;
        }
        GroupMember m = g.get(memberId);
        switch (g.state) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(g, m, r, f);
            case COMPLETING_REBALANCE -> {
                // A member that lost the join answer gets it again; a changed member starts another round
                if (m.matches(r.protocols())) answerCurrentGeneration(g, m, r.version(), f, false);
                else updateMemberAndRebalance(g, m, r, f);
            }
            case STABLE -> {
                // The leader rejoining means it wants to assign again (e.g. a topic appeared)
                if (g.isLeader(memberId) || !m.matches(r.protocols())) updateMemberAndRebalance(g, m, r, f);
                else answerCurrentGeneration(g, m, r.version(), f, false);
            }
            default -> joinError(f, Errors.UNKNOWN_MEMBER_ID, r);
        }
    }

    private void addMemberAndRebalance(
            ClassicGroup g, String memberId, JoinRequest r, CompletableFuture<JoinGroupResponseData> f) {
        GroupMember m = new GroupMember(
                memberId,
                r.groupInstanceId(),
                r.clientId(),
                r.clientHost(),
                r.sessionTimeoutMs(),
                rebalanceTimeout(r),
                r.protocols());
        m.isNew = true;
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        if (g.isEmpty()) g.protocolType = r.protocolType();
        g.pendingMembers.remove(memberId);
        g.add(m);
        if (g.state == GroupState.PREPARING_REBALANCE && g.joinNotBeforeMs > timer.nowMs()) g.newMemberAdded = true;
        touch(g, m);
        maybePrepareRebalance(g, "member " + memberId + " joined");
        tryCompleteJoin(g);
    }

    private void updateMemberAndRebalance(
            ClassicGroup g, GroupMember m, JoinRequest r, CompletableFuture<JoinGroupResponseData> f) {
        m.protocols = List.copyOf(r.protocols());
        m.sessionTimeoutMs = r.sessionTimeoutMs();
        m.rebalanceTimeoutMs = rebalanceTimeout(r);
        m.clientId = r.clientId();
        m.clientHost = r.clientHost();
        if (m.awaitingJoin != null && m.awaitingJoin != f)
            m.awaitingJoin.complete(joinErrorResponse(Errors.REBALANCE_IN_PROGRESS, m.memberId, m.joinVersion));
        m.awaitingJoin = f;
        m.joinVersion = r.version();
        touch(g, m);
        maybePrepareRebalance(g, "member " + m.memberId + " rejoined");
        tryCompleteJoin(g);
    }

    /**
     * A static member came back with a new member id: the old id is fenced and the new one takes its place.
     * In a stable group with an unchanged subscription that is all (no rebalance, same assignment).
     */
    private void replaceStaticMember(
            ClassicGroup g, String oldId, String newId, JoinRequest r, CompletableFuture<JoinGroupResponseData> f) {
        GroupMember old = g.get(oldId);
        boolean keepsAssignment = g.state == GroupState.STABLE && sameSubscription(g, old.protocols, r.protocols());
        GroupMember m = old.withId(newId);
        GroupMetadataValueData record = null;
        if (keepsAssignment) {
            m.sessionTimeoutMs = r.sessionTimeoutMs();
            m.rebalanceTimeoutMs = rebalanceTimeout(r);
            m.clientId = r.clientId();
            m.clientHost = r.clientHost();
            m.protocols = List.copyOf(r.protocols());
            // the group with the new member in the old one's place is written before anything changes
            List<GroupMetadataValueData.MemberMetadata> members = new ArrayList<>();
            for (GroupMember each : g.members())
                members.add(memberRecord(g.protocolName, each == old ? m : each, each.assignment));
            record = groupRecord(
                    g,
                    g.generationId,
                    g.protocolName,
                    g.isLeader(oldId) ? newId : g.leaderId,
                    g.stateTimestampMs,
                    members);
            try {
                store(g, record);
            } catch (ApiException e) {
                f.complete(joinErrorResponse(e.error(), "", r.version()));
                return;
            }
        }
        if (old.awaitingJoin != null)
            old.awaitingJoin.complete(joinErrorResponse(Errors.FENCED_INSTANCE_ID, oldId, old.joinVersion));
        if (old.awaitingSync != null)
            old.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        old.awaitingJoin = null;
        old.awaitingSync = null;
        g.replace(oldId, m);
        if (keepsAssignment) {
            applyRecord(g, record);
            touch(g, m);
            // v9+ leaders get the members but are told not to assign again (KIP-814)
            answerCurrentGeneration(g, m, r.version(), f, true);
        } else {
            updateMemberAndRebalance(g, m, r, f);
        }
    }

    /** Same chosen protocol, and for consumers the same topics (owned partitions and the like may differ). */
    private static boolean sameSubscription(ClassicGroup g, List<GroupProtocol> before, List<GroupProtocol> after) {
        String chosen = g.protocolName;
        byte[] was = metadataOf(before, chosen);
        byte[] now = metadataOf(after, chosen);
        if (was == null || now == null) return false;
        if (!ConsumerSubscription.PROTOCOL_TYPE.equals(g.protocolType)) return java.util.Arrays.equals(was, now);
        Set<String> a = ConsumerSubscription.topics(was);
        return a != null && a.equals(ConsumerSubscription.topics(now));
    }

    private static byte[] metadataOf(List<GroupProtocol> protocols, String name) {
        for (GroupProtocol p : protocols) if (p.name().equals(name)) return p.metadata();
        return null;
    }

    private void answerCurrentGeneration(
            ClassicGroup g,
            GroupMember m,
            short version,
            CompletableFuture<JoinGroupResponseData> f,
            boolean skipAssignment) {
        boolean leader = g.isLeader(m.memberId);
        JoinGroupResponseData resp = joinResponse(g, m.memberId, version, leader && (!skipAssignment || version >= 9));
        if (leader && skipAssignment && version >= 9) resp.setSkipAssignment(true);
        f.complete(resp);
    }

    private static int rebalanceTimeout(JoinRequest r) {
        return r.version() == 0 || r.rebalanceTimeoutMs() < 0 ? r.sessionTimeoutMs() : r.rebalanceTimeoutMs();
    }

    // ---------------------------------------------------------------- rebalance

    private void maybePrepareRebalance(ClassicGroup g, String reason) {
        if (g.state == GroupState.STABLE || g.state == GroupState.COMPLETING_REBALANCE || g.state == GroupState.EMPTY)
            prepareRebalance(g, reason);
    }

    private void prepareRebalance(ClassicGroup g, String reason) {
        if (g.state == GroupState.COMPLETING_REBALANCE) {
            // Assignments of the generation being completed are void: followers waiting in SyncGroup rejoin
            for (GroupMember m : g.members()) {
                m.assignment = new byte[0];
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                    m.awaitingSync = null;
                }
            }
        }
        boolean initial = g.state == GroupState.EMPTY;
        long now = timer.nowMs();
        g.transition(GroupState.PREPARING_REBALANCE, now);
        long epoch = ++g.rebalanceEpoch;
        int timeout = Math.max(g.maxRebalanceTimeoutMs(), 0);
        g.joinDeadlineMs = now + timeout;
        g.newMemberAdded = false;
        g.joinNotBeforeMs = initial ? now + Math.min(initialRebalanceDelayMs, timeout) : now;
        log.info("Group {} rebalancing (generation {}): {}", g.groupId, g.generationId, reason);
        timer.schedule(timeout, () -> onJoinDeadline(g, epoch));
        if (g.joinNotBeforeMs > now) timer.schedule(g.joinNotBeforeMs - now, () -> onInitialDelay(g, epoch));
        tryCompleteJoin(g); // e.g. the last member left: nobody to wait for
    }

    /** Kafka's initial delay: each new member during the delay extends it, up to the rebalance timeout. */
    private void onInitialDelay(ClassicGroup g, long epoch) {
        synchronized (g) {
            if (g.rebalanceEpoch != epoch || g.state != GroupState.PREPARING_REBALANCE) return;
            long now = timer.nowMs();
            if (g.newMemberAdded && now < g.joinDeadlineMs) {
                g.newMemberAdded = false;
                g.joinNotBeforeMs = now + Math.min(initialRebalanceDelayMs, g.joinDeadlineMs - now);
                timer.schedule(g.joinNotBeforeMs - now, () -> onInitialDelay(g, epoch));
                return;
            }
            g.joinNotBeforeMs = now;
            tryCompleteJoin(g);
        }
    }

    private void onJoinDeadline(ClassicGroup g, long epoch) {
        synchronized (g) {
            if (g.rebalanceEpoch == epoch && g.state == GroupState.PREPARING_REBALANCE) completeJoin(g);
        }
    }

    private void tryCompleteJoin(ClassicGroup g) {
        if (g.state == GroupState.PREPARING_REBALANCE && timer.nowMs() >= g.joinNotBeforeMs && g.allMembersJoined())
            completeJoin(g);
    }

    /** Ends the join phase: dynamic members that did not rejoin are dropped, the next generation starts. */
    private void completeJoin(ClassicGroup g) {
        for (GroupMember m : g.members()) {
            // Static members stay until their session expires: they may come back with the same identity
            if (m.awaitingJoin == null && !m.isStatic()) {
                log.info("Group {}: member {} did not rejoin in time and is removed", g.groupId, m.memberId);
                g.remove(m.memberId);
            }
        }
        long now = timer.nowMs();
        if (g.isEmpty()) {
            GroupMetadataValueData record = groupRecord(g, g.generationId + 1, null, null, now, List.of());
            try {
                store(g, record);
            } catch (ApiException e) {
                // nobody waits for this answer; Kafka too logs it and goes on with the empty group
                log.warn("Could not store the empty generation of group {}: {}", g.groupId, e.getMessage());
            }
            g.protocolName = null;
            g.leaderId = null;
            g.transition(GroupState.EMPTY, now);
            applyRecord(g, record);
            return;
        }
        g.generationId++;
        GroupMember leader = g.get(g.leaderId);
        if (leader == null || leader.awaitingJoin == null) {
            for (GroupMember m : g.members())
                if (m.awaitingJoin != null) {
                    g.leaderId = m.memberId;
                    break;
                }
        }
        g.protocolName = g.selectProtocol();
        g.transition(GroupState.COMPLETING_REBALANCE, now);
        log.info(
                "Group {} generation {} with {} member(s), protocol {}",
                g.groupId,
                g.generationId,
                g.size(),
                g.protocolName);
        for (GroupMember m : g.members()) {
            if (m.awaitingJoin == null) continue;
            CompletableFuture<JoinGroupResponseData> f = m.awaitingJoin;
            m.awaitingJoin = null;
            m.isNew = false;
            touch(g, m);
            f.complete(joinResponse(g, m.memberId, m.joinVersion, g.isLeader(m.memberId)));
        }
    }

    private JoinGroupResponseData joinResponse(ClassicGroup g, String memberId, short version, boolean withMembers) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setGenerationId(g.generationId)
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName)
                .setLeader(g.leaderId == null ? "" : g.leaderId)
                .setMemberId(memberId);
        if (withMembers) {
            for (GroupMember m : g.members()) {
                r.members()
                        .add(new JoinGroupResponseData.JoinGroupResponseMember()
                                .setMemberId(m.memberId)
                                .setGroupInstanceId(m.groupInstanceId)
                                .setMetadata(m.metadata(g.protocolName)));
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- SyncGroup

    public CompletableFuture<SyncGroupResponseData> sync(
            String groupId,
            int generationId,
            String memberId,
            String groupInstanceId,
            String protocolType,
            String protocolName,
            Map<String, byte[]> assignments,
            short version) {
        CompletableFuture<SyncGroupResponseData> f = new CompletableFuture<>();
        if (isConsumerGroup(groupId)) {
            SyncGroupResponseData answer =
                    consumerGroups.classicSync(groupId, generationId, memberId, protocolType, protocolName);
            if (answer != null) return CompletableFuture.completedFuture(answer);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) return f.completeAsync(() -> syncError(Errors.UNKNOWN_MEMBER_ID), Runnable::run);
        synchronized (g) {
            Errors e = checkMember(g, memberId, groupInstanceId, generationId);
            if (e == Errors.NONE && version >= 5) {
                if (protocolType != null && !protocolType.equals(g.protocolType))
                    e = Errors.INCONSISTENT_GROUP_PROTOCOL;
                else if (protocolName != null && !protocolName.equals(g.protocolName))
                    e = Errors.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (e != Errors.NONE) {
                f.complete(syncError(e));
                return f;
            }
            GroupMember m = g.get(memberId);
            switch (g.state) {
                case PREPARING_REBALANCE -> f.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                case COMPLETING_REBALANCE -> {
                    m.awaitingSync = f;
                    touch(g, m);
                    if (g.isLeader(memberId)) completeSync(g, assignments);
                }
                case STABLE -> {
                    touch(g, m);
                    f.complete(syncAnswer(g, m.assignment));
                }
                default -> f.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        return f;
    }

    /**
     * The leader's assignment arrived: store it, then hand each member its part; the group is stable. When the
     * write fails, as in Kafka, every member waiting gets the error and the group rebalances again.
     */
    private void completeSync(ClassicGroup g, Map<String, byte[]> assignments) {
        long now = timer.nowMs();
        List<GroupMetadataValueData.MemberMetadata> members = new ArrayList<>();
        for (GroupMember m : g.members()) {
            byte[] a = assignments.get(m.memberId);
            members.add(memberRecord(g.protocolName, m, a == null ? new byte[0] : a));
        }
        GroupMetadataValueData record = groupRecord(g, g.generationId, g.protocolName, g.leaderId, now, members);
        try {
            store(g, record);
        } catch (ApiException e) {
            for (GroupMember m : g.members()) {
                if (m.awaitingSync == null) continue;
                m.awaitingSync.complete(syncError(e.error()));
                m.awaitingSync = null;
            }
            prepareRebalance(g, "storing the assignment failed with " + e.error());
            return;
        }
        g.transition(GroupState.STABLE, now);
        applyRecord(g, record);
        for (GroupMember m : g.members()) {
            if (m.awaitingSync == null) continue;
            m.awaitingSync.complete(syncAnswer(g, m.assignment));
            m.awaitingSync = null;
        }
    }

    private static SyncGroupResponseData syncAnswer(ClassicGroup g, byte[] assignment) {
        return new SyncGroupResponseData()
                .setProtocolType(g.protocolType)
                .setProtocolName(g.protocolName)
                .setAssignment(assignment);
    }

    private static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]);
    }

    // ---------------------------------------------------------------- Heartbeat and LeaveGroup

    /** A member's heartbeat; throws REBALANCE_IN_PROGRESS (to make it rejoin) or why it is not a member. */
    public void heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        Errors e = heartbeatError(groupId, memberId, groupInstanceId, generationId);
        if (e != Errors.NONE) throw memberFailure(e, groupId, memberId);
    }

    private Errors heartbeatError(String groupId, String memberId, String groupInstanceId, int generationId) {
        if (isConsumerGroup(groupId)) {
            Errors e = consumerGroups.classicHeartbeat(groupId, memberId, generationId);
            if (e != null) return e;
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) return Errors.UNKNOWN_MEMBER_ID;
        synchronized (g) {
            Errors e = checkMember(g, memberId, groupInstanceId, generationId);
            if (e != Errors.NONE) return e;
            switch (g.state) {
                case COMPLETING_REBALANCE, STABLE -> {
                    touch(g, g.get(memberId));
                    return Errors.NONE;
                }
                case PREPARING_REBALANCE -> {
                    touch(g, g.get(memberId));
                    return Errors.REBALANCE_IN_PROGRESS;
                }
                default -> {
                    return Errors.UNKNOWN_MEMBER_ID;
                }
            }
        }
    }

    /** Kafka's checks, in Kafka's order, shared by SyncGroup and Heartbeat. */
    private static Errors checkMember(ClassicGroup g, String memberId, String groupInstanceId, int generationId) {
        if (g.state == GroupState.DEAD) return Errors.COORDINATOR_NOT_AVAILABLE;
        if (g.isFenced(memberId, groupInstanceId)) return Errors.FENCED_INSTANCE_ID;
        if (!g.has(memberId)) return Errors.UNKNOWN_MEMBER_ID;
        if (generationId != g.generationId) return Errors.ILLEGAL_GENERATION;
        return Errors.NONE;
    }

    /** Why a member's request fails, in words, with Kafka's code. */
    private static ApiException memberFailure(Errors e, String groupId, String memberId) {
        String why = switch (e) {
            case UNKNOWN_MEMBER_ID -> "member " + memberId + " is not in group " + groupId;
            case ILLEGAL_GENERATION -> "not the current generation of group " + groupId;
            case FENCED_INSTANCE_ID -> "a newer member holds this group instance id in group " + groupId;
            case REBALANCE_IN_PROGRESS -> "group " + groupId + " is rebalancing";
            case COORDINATOR_NOT_AVAILABLE -> "group " + groupId + " is being unloaded";
            case INVALID_GROUP_ID -> "the group id is empty or too long";
            default -> "group " + groupId + " failed with " + e;
        };
        return new ApiException(e, why);
    }

    /** A member leaving, by member id or (v3+) by instance id; the answer for each, in order. */
    public record Leaving(String memberId, String groupInstanceId) {}

    public List<Errors> leave(String groupId, List<Leaving> leaving) {
        if (isConsumerGroup(groupId)) {
            List<Errors> answers = consumerGroups.classicLeave(groupId, leaving);
            if (answers != null) return answers;
        }
        List<Errors> out = new ArrayList<>();
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            leaving.forEach(l -> out.add(Errors.UNKNOWN_MEMBER_ID));
            return out;
        }
        synchronized (g) {
            for (Leaving l : leaving) out.add(leaveOne(g, l));
        }
        return out;
    }

    private Errors leaveOne(ClassicGroup g, Leaving l) {
        if (g.state == GroupState.DEAD) return Errors.COORDINATOR_NOT_AVAILABLE;
        boolean noMemberId = l.memberId() == null || l.memberId().isEmpty();
        String target = l.memberId();
        if (l.groupInstanceId() != null) {
            String current = g.staticMemberId(l.groupInstanceId());
            if (current == null) return Errors.UNKNOWN_MEMBER_ID;
            if (!noMemberId && !current.equals(l.memberId())) return Errors.FENCED_INSTANCE_ID;
            target = current;
        } else if (g.pendingMembers.remove(target)) {
            tryCompleteJoin(g);
            return Errors.NONE;
        }
        GroupMember m = g.get(target);
        if (m == null) return Errors.UNKNOWN_MEMBER_ID;
        removeMemberAndUpdateGroup(g, m, "member " + target + " left");
        return Errors.NONE;
    }

    private void removeMemberAndUpdateGroup(ClassicGroup g, GroupMember m, String reason) {
        if (m.awaitingJoin != null)
            m.awaitingJoin.complete(joinErrorResponse(Errors.UNKNOWN_MEMBER_ID, m.memberId, m.joinVersion));
        if (m.awaitingSync != null) m.awaitingSync.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
        m.awaitingJoin = null;
        m.awaitingSync = null;
        g.remove(m.memberId);
        switch (g.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(g, reason);
            case PREPARING_REBALANCE -> tryCompleteJoin(g);
            default -> {}
        }
    }

    // ---------------------------------------------------------------- sessions

    /** Records a sign of life and makes sure an expiry check is pending. */
    private void touch(ClassicGroup g, GroupMember m) {
        m.lastHeartbeatMs = timer.nowMs();
        if (!m.expiryScheduled) {
            m.expiryScheduled = true;
            timer.schedule(m.sessionTimeoutMs, () -> checkSession(g, m));
        }
    }

    private void checkSession(ClassicGroup g, GroupMember m) {
        synchronized (g) {
            m.expiryScheduled = false;
            if (g.get(m.memberId) != m || g.state == GroupState.DEAD) return;
            long now = timer.nowMs();
            // A member waiting for its join or sync answer is alive: the rebalance decides its fate
            boolean waiting = m.awaitingJoin != null || m.awaitingSync != null;
            long due = m.lastHeartbeatMs + m.sessionTimeoutMs;
            if (!waiting && now >= due) {
                log.info("Group {}: session of member {} expired", g.groupId, m.memberId);
                removeMemberAndUpdateGroup(g, m, "session of " + m.memberId + " expired");
                return;
            }
            m.expiryScheduled = true;
            timer.schedule(waiting ? m.sessionTimeoutMs : due - now, () -> checkSession(g, m));
        }
    }

    private void schedulePendingExpiry(ClassicGroup g, String memberId, int sessionTimeoutMs) {
        timer.schedule(sessionTimeoutMs, () -> {
            synchronized (g) {
                if (g.pendingMembers.remove(memberId)) tryCompleteJoin(g);
                removeIfUnused(g);
            }
        });
    }

    // ---------------------------------------------------------------- offsets

    /**
     * Whether an OffsetCommit may store its offsets, as Kafka decides: simple commits (generation < 0) are
     * fine on a group without members; group members must be current members of the current generation and
     * not in the middle of an assignment. A valid commit counts as a heartbeat.
     */
    public void validateCommit(String groupId, int generationId, String memberId, String groupInstanceId) {
        Errors e = commitError(groupId, generationId, memberId, groupInstanceId);
        if (e != Errors.NONE) throw memberFailure(e, groupId, memberId);
    }

    private Errors commitError(String groupId, int generationId, String memberId, String groupInstanceId) {
        try {
            OffsetStore.checkGroupId(groupId);
        } catch (ApiException e) {
            return e.error();
        }
        if (isConsumerGroup(groupId)) {
            Errors e = consumerGroups.commitError(groupId, memberId, generationId);
            if (e != null) return e;
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            if (generationId < 0) return Errors.NONE;
            // a group known only by its offsets is an empty group, as Kafka keeps it: nobody is a member
            return hasOffsets(groupId) ? Errors.UNKNOWN_MEMBER_ID : Errors.ILLEGAL_GENERATION;
        }
        synchronized (g) {
            if (g.state == GroupState.DEAD) return Errors.COORDINATOR_NOT_AVAILABLE;
            if (generationId < 0 && g.state == GroupState.EMPTY) return Errors.NONE;
            if (g.isFenced(memberId, groupInstanceId)) return Errors.FENCED_INSTANCE_ID;
            if (!g.has(memberId)) return Errors.UNKNOWN_MEMBER_ID;
            if (generationId != g.generationId) return Errors.ILLEGAL_GENERATION;
            if (g.state == GroupState.COMPLETING_REBALANCE) return Errors.REBALANCE_IN_PROGRESS;
            touch(g, g.get(memberId));
            return Errors.NONE;
        }
    }

    // ---------------------------------------------------------------- offset expiry

    private void periodicOffsetExpiry() {
        try {
            expireOffsets();
        } catch (RuntimeException e) {
            log.warn("Expiring committed offsets failed: {}", e.toString());
        } finally {
            timer.schedule(retentionCheckIntervalMs, this::periodicOffsetExpiry);
        }
    }

    /**
     * Kafka 4.x's expiry of committed offsets: in a group without members (Empty) every offset expires once
     * offsets.retention.minutes have passed since the group became empty (or since its commit, for a group that
     * never had a protocol: simple consumers); in a stable consumer group the offsets of topics it no longer
     * subscribes to expire that long after their commit. They go as tombstones through the write-then-apply
     * path, so a restart agrees; an Empty group left without offsets is deleted, as Kafka deletes it.
     */
    void expireOffsets() {
        if (offsets == null) return;
        long now = timer.nowMs();
        Set<String> ids = new HashSet<>(offsets.groupsWithOffsets());
        ids.addAll(groups.keySet());
        for (String groupId : ids) {
            if (isConsumerGroup(groupId)) {
                // a consumer group's offsets expire from their commit once it has no members
                if (Boolean.FALSE.equals(consumerGroups.hasMembers(groupId))) expire(groupId, now, null, Set.of());
                continue;
            }
            ClassicGroup g = groups.get(groupId);
            if (g == null) {
                expire(groupId, now, null, Set.of());
                continue;
            }
            synchronized (g) {
                if (g.state == GroupState.DEAD) continue;
                boolean empty = g.state == GroupState.EMPTY && g.isEmpty() && g.pendingMembers.isEmpty();
                if (g.protocolType == null || empty) {
                    Long since = empty && g.protocolType != null && g.stateTimestampMs >= 0 ? g.stateTimestampMs : null;
                    if (expire(groupId, now, since, Set.of()) && empty && g.generationId > 0) {
                        if (deleteStored(groupId) != Errors.NONE) continue;
                        g.transition(GroupState.DEAD, now);
                        groups.remove(groupId, g);
                        log.info("Group {} deleted: empty, and its offsets expired", groupId);
                    }
                } else if (g.state == GroupState.STABLE) {
                    Set<String> subscribed = g.subscribedTopics();
                    if (subscribed != null) expire(groupId, now, null, subscribed);
                }
            }
        }
    }

    /**
     * Deletes the group's offsets older than the retention, measured from {@code since} when given, else from
     * each commit; offsets of {@code keepTopics} stay. True when the group has no offsets left.
     */
    private boolean expire(String groupId, long now, Long since, Set<String> keepTopics) {
        Set<TopicPartition> expired = new HashSet<>();
        Map<TopicPartition, CommittedOffset> all = offsets.fetchAll(groupId);
        all.forEach((tp, o) -> {
            if (keepTopics.contains(tp.topic()) || pendingTransactional.pending(groupId, tp)) return;
            // an expire timestamp of the commit (v2-4 retention time) decides alone, as in Kafka
            long base = since != null ? since : o.commitTimestamp();
            if (o.expireTimestamp() >= 0
                    ? now >= o.expireTimestamp()
                    : offsetsRetentionMs > 0 && now - base >= offsetsRetentionMs) expired.add(tp);
        });
        if (expired.isEmpty()) return all.isEmpty();
        try {
            offsets.delete(groupId, expired);
        } catch (ApiException e) {
            log.warn("Could not expire {} offset(s) of group {}: {}", expired.size(), groupId, e.getMessage());
            return false;
        }
        log.info("Expired {} committed offset(s) of group {}", expired.size(), groupId);
        return expired.size() == all.size();
    }

    // ---------------------------------------------------------------- describe, list, delete

    /** A group's summary for DescribeGroups; members' metadata and assignment only when stable, as Kafka. */
    public record MemberSummary(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            byte[] metadata,
            byte[] assignment) {}

    public record GroupSummary(
            String groupId, GroupState state, String protocolType, String protocol, List<MemberSummary> members) {}

    /** The group's summary, or null when the coordinator knows nothing of it. */
    public GroupSummary describe(String groupId) {
        if (isConsumerGroup(groupId)) return null; // Kafka: not a classic group, described by ConsumerGroupDescribe
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            return offsets != null && offsets.groupsWithOffsets().contains(groupId)
                    ? new GroupSummary(groupId, GroupState.EMPTY, "", "", List.of())
                    : null;
        }
        synchronized (g) {
            if (g.state == GroupState.DEAD) return null;
            boolean stable = g.state == GroupState.STABLE;
            List<MemberSummary> members = new ArrayList<>();
            for (GroupMember m : g.members()) {
                members.add(new MemberSummary(
                        m.memberId,
                        m.groupInstanceId,
                        m.clientId,
                        m.clientHost,
                        stable ? m.metadata(g.protocolName) : new byte[0],
                        stable ? m.assignment : new byte[0]));
            }
            return new GroupSummary(
                    groupId,
                    g.state,
                    g.protocolType == null ? "" : g.protocolType,
                    stable ? g.protocolName : "",
                    members);
        }
    }

    /** Every known group (with members, or with only committed offsets, which Kafka shows as Empty). */
    public List<GroupSummary> list() {
        Map<String, GroupSummary> out = new LinkedHashMap<>();
        for (ClassicGroup g : groups.values()) {
            synchronized (g) {
                if (g.state == GroupState.DEAD) continue;
                if (g.state == GroupState.EMPTY && g.isEmpty() && g.generationId == 0 && !hasOffsets(g.groupId))
                    continue;
                out.put(
                        g.groupId,
                        new GroupSummary(
                                g.groupId, g.state, g.protocolType == null ? "" : g.protocolType, null, List.of()));
            }
        }
        if (offsets != null) {
            for (String id : offsets.groupsWithOffsets())
                out.putIfAbsent(id, new GroupSummary(id, GroupState.EMPTY, "", null, List.of()));
        }
        return new ArrayList<>(out.values());
    }

    /** A group as ListGroups v5 shows it: its state's wire name, protocol type and group type. */
    public record Listed(String groupId, String protocolType, String state, String type) {}

    /** Every group, classic ones ({@link #list}) and KIP-848 consumer groups. */
    public List<Listed> listAll() {
        Map<String, Listed> out = new LinkedHashMap<>();
        if (consumerGroups != null)
            for (ConsumerGroupCoordinator.Listed c : consumerGroups.list())
                out.put(
                        c.groupId(),
                        new Listed(
                                c.groupId(),
                                ConsumerGroupCoordinator.PROTOCOL_TYPE,
                                c.state().wireName(),
                                "consumer"));
        for (GroupSummary g : list())
            out.putIfAbsent(
                    g.groupId(),
                    new Listed(g.groupId(), g.protocolType(), g.state().wireName(), "classic"));
        return new ArrayList<>(out.values());
    }

    private boolean hasOffsets(String groupId) {
        return offsets != null && offsets.groupsWithOffsets().contains(groupId);
    }

    /**
     * Deletes a group without members, with its offsets; throws GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or the
     * offset store's error.
     */
    public void delete(String groupId) {
        if (isConsumerGroup(groupId) && consumerGroups.delete(groupId)) {
            if (offsets != null) offsets.deleteGroup(groupId);
            log.info("Consumer group {} deleted", groupId);
            return;
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            if (!hasOffsets(groupId)) throw groupNotFound(groupId);
            offsets.deleteGroup(groupId);
            return;
        }
        synchronized (g) {
            if (g.state == GroupState.DEAD) throw groupNotFound(groupId);
            if (g.state != GroupState.EMPTY || !g.isEmpty())
                throw new ApiException(Errors.NON_EMPTY_GROUP, "group " + groupId + " has members");
            if (offsets != null) offsets.deleteGroup(groupId);
            g.transition(GroupState.DEAD, timer.nowMs());
            groups.remove(groupId, g);
            log.info("Group {} deleted", groupId);
        }
    }

    /** For expiry, which goes on with the next group when the store fails. */
    private Errors deleteStored(String groupId) {
        try {
            offsets.deleteGroup(groupId);
            return Errors.NONE;
        } catch (ApiException e) {
            return e.error();
        }
    }

    private static ApiException groupNotFound(String groupId) {
        return new ApiException(Errors.GROUP_ID_NOT_FOUND, "group " + groupId + " does not exist");
    }

    /**
     * OffsetDelete: the error of each partition (GROUP_SUBSCRIBED_TO_TOPIC for a topic the group consumes);
     * throws GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP for the whole group.
     */
    public Map<TopicPartition, Errors> deleteOffsets(String groupId, List<TopicPartition> partitions) {
        if (isConsumerGroup(groupId)) {
            Set<String> subscribed = Boolean.TRUE.equals(consumerGroups.hasMembers(groupId))
                    ? consumerGroups.subscribedTopics(groupId)
                    : Set.of();
            return deleteAllowed(groupId, partitions, subscribed);
        }
        ClassicGroup g = groups.get(groupId);
        if (g == null) {
            if (!hasOffsets(groupId)) throw groupNotFound(groupId);
            return deleteAllowed(groupId, partitions, Set.of());
        }
        synchronized (g) {
            if (g.state == GroupState.DEAD) throw groupNotFound(groupId);
            Set<String> subscribed = Set.of();
            if (g.state != GroupState.EMPTY) {
                subscribed = g.subscribedTopics();
                if (subscribed == null) // members whose subscriptions this coordinator cannot read
                throw new ApiException(
                            Errors.NON_EMPTY_GROUP, "group " + groupId + " has members of an unknown protocol");
            }
            return deleteAllowed(groupId, partitions, subscribed);
        }
    }

    private Map<TopicPartition, Errors> deleteAllowed(
            String groupId, List<TopicPartition> partitions, Set<String> subscribed) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        Set<TopicPartition> delete = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (subscribed.contains(tp.topic())) out.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            else {
                out.put(tp, Errors.NONE);
                delete.add(tp);
            }
        }
        if (offsets != null) {
            try {
                offsets.delete(groupId, delete);
            } catch (ApiException e) {
                delete.forEach(tp -> out.put(tp, e.error()));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** Writes the group's record; throws ApiException with Kafka's error when it cannot (nothing changed). */
    private void store(ClassicGroup g, GroupMetadataValueData record) {
        if (offsets != null) offsets.storeGroup(g.groupId, record);
    }

    private static GroupMetadataValueData groupRecord(
            ClassicGroup g,
            int generation,
            String protocol,
            String leader,
            long stateTimestampMs,
            List<GroupMetadataValueData.MemberMetadata> members) {
        return new GroupMetadataValueData()
                .setProtocolType(g.protocolType == null ? "" : g.protocolType)
                .setGeneration(generation)
                .setProtocol(protocol)
                .setLeader(leader)
                .setCurrentStateTimestamp(stateTimestampMs)
                .setMembers(new ArrayList<>(members));
    }

    private static GroupMetadataValueData.MemberMetadata memberRecord(
            String protocol, GroupMember m, byte[] assignment) {
        byte[] subscription = m.metadata(protocol);
        return new GroupMetadataValueData.MemberMetadata()
                .setMemberId(m.memberId)
                .setGroupInstanceId(m.groupInstanceId)
                .setClientId(m.clientId == null ? "" : m.clientId)
                .setClientHost(m.clientHost == null ? "" : m.clientHost)
                .setRebalanceTimeout(m.rebalanceTimeoutMs)
                .setSessionTimeout(m.sessionTimeoutMs)
                .setSubscription(subscription == null ? new byte[0] : subscription)
                .setAssignment(assignment == null ? new byte[0] : assignment);
    }

    /** Drops a group that a failed first join created and nothing else refers to. */
    private void removeIfUnused(ClassicGroup g) {
        if (g.state == GroupState.EMPTY && g.isEmpty() && g.pendingMembers.isEmpty() && g.generationId == 0) {
            g.transition(GroupState.DEAD, timer.nowMs());
            groups.remove(g.groupId, g);
        }
    }

    private static CompletableFuture<JoinGroupResponseData> joinError(
            CompletableFuture<JoinGroupResponseData> f, Errors e, JoinRequest r) {
        f.complete(joinErrorResponse(e, r.memberId() == null ? "" : r.memberId(), r.version()));
        return f;
    }

    private static JoinGroupResponseData joinErrorResponse(Errors e, String memberId, short version) {
        return new JoinGroupResponseData()
                .setErrorCode(e.code())
                .setGenerationId(-1)
                .setLeader("")
                .setMemberId(memberId)
                .setProtocolName(version >= 7 ? null : "");
    }

    private static long longSetting(BrokerConfig config, String key, long fallback) {
        String v = config.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** For tests and tools: the state of a group, or null when unknown. */
    GroupState state(String groupId) {
        ClassicGroup g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            return g.state;
        }
    }

    int generation(String groupId) {
        ClassicGroup g = groups.get(groupId);
        if (g == null) return -1;
        synchronized (g) {
            return g.generationId;
        }
    }
}
