package dev.skiff.broker.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.internal.records.ConsumerGroupMemberMetadataValueData;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ConsumerGroupDescribeResponseData;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatRequestData;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatResponseData;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.SyncGroupResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KIP-848 consumer groups: members heartbeat with ConsumerGroupHeartbeat, the coordinator computes the target
 * assignment with a server assignor and hands each member its part incrementally. A member gives up what it must
 * revoke first (its epoch stays until its heartbeat shows the partitions gone), and gets a partition only once its
 * previous owner has released it; then its epoch moves to the target's. Requests with an epoch other than the
 * member's are fenced (FENCED_MEMBER_EPOCH), members that stop heartbeating are removed after their session.
 *
 * <p>Classic members (JoinGroup/SyncGroup/Heartbeat of protocol type "consumer") may be part of a consumer group:
 * their generation is their member epoch, a heartbeat answers REBALANCE_IN_PROGRESS when the server has a new
 * assignment for them, and their JoinGroup is answered at once with it. A classic group becomes a consumer group
 * when the first consumer-protocol member joins it (in any state, when its members use the consumer protocol type,
 * as {@code group.consumer.migration.policy} allows); it becomes a classic group again when the last
 * consumer-protocol member is fenced (leaves, or its session ends) or replaced by a classic static member and classic
 * members stay, as the policy allows.
 *
 * <p>State that survives is written first as Kafka's ConsumerGroup* records and applied after ({@link
 * ConsumerGroupState#apply}), as at start; session deadlines and what each member last reported live in memory.
 * Each group has its own lock (its monitor).
 */
public final class ConsumerGroupCoordinator {

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupCoordinator.class);

    public static final String PROTOCOL_TYPE = "consumer";
    /** The longest regular expression a member may subscribe with (RE2J matches in linear time; this caps memory). */
    static final int MAX_REGEX_LENGTH = 4096;
    /** Kafka's REGEX_BATCH_REFRESH_MIN_INTERVAL_MS: a group's expressions are resolved at most this often. */
    static final long REGEX_MIN_REFRESH_INTERVAL_MS = 10_000;
    /** Kafka's group.consumer.regex.refresh.interval.ms default: resolved again this often even with no news. */
    static final long REGEX_REFRESH_INTERVAL_MS = 600_000;

    /** Consumer group states, as Kafka names them on the wire. */
    public enum State {
        EMPTY("Empty"),
        ASSIGNING("Assigning"),
        RECONCILING("Reconciling"),
        STABLE("Stable"),
        DEAD("Dead");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** The broker's group.consumer.* settings (Kafka's names and defaults). */
    record Settings(
            int sessionTimeoutMs,
            int heartbeatIntervalMs,
            int maxSize,
            List<String> assignors,
            String migrationPolicy) {

        static Settings of(BrokerConfig c) {
            int session = intOf(c, "group.consumer.session.timeout.ms", 45000);
            int heartbeat = intOf(c, "group.consumer.heartbeat.interval.ms", 5000);
            int max = intOf(c, "group.consumer.max.size", Integer.MAX_VALUE);
            String list = c.get("group.consumer.assignors");
            List<String> assignors = new ArrayList<>();
            for (String a : (list == null || list.isBlank() ? "uniform,range" : list).split(",")) {
                String name = a.trim();
                // Kafka's class names of its two assignors name them too
                if (name.endsWith(".UniformAssignor")) name = "uniform";
                if (name.endsWith(".RangeAssignor")) name = "range";
                if (ServerAssignor.named(name) == null)
                    throw new ConfigException("group.consumer.assignors: unknown assignor " + a.trim());
                if (!assignors.contains(name)) assignors.add(name);
            }
            String policy = c.get("group.consumer.migration.policy");
            policy = policy == null || policy.isBlank()
                    ? "bidirectional"
                    : policy.trim().toLowerCase();
            if (!Set.of("bidirectional", "upgrade", "downgrade", "disabled").contains(policy))
                throw new ConfigException("group.consumer.migration.policy: unknown policy " + policy);
            if (heartbeat >= session)
                throw new ConfigException(
                        "group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms");
            return new Settings(session, heartbeat, max, List.copyOf(assignors), policy);
        }

        boolean upgrades() {
            return migrationPolicy.equals("bidirectional") || migrationPolicy.equals("upgrade");
        }

        boolean downgrades() {
            return migrationPolicy.equals("bidirectional") || migrationPolicy.equals("downgrade");
        }

        private static int intOf(BrokerConfig c, String key, int fallback) {
            String v = c.get(key);
            if (v == null || v.isBlank()) return fallback;
            try {
                int n = Integer.parseInt(v.trim());
                if (n <= 0) throw new ConfigException(key + " must be positive: " + v);
                return n;
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " is not a number: " + v);
            }
        }
    }

    /** A classic group's state handed over for an upgrade. */
    record ClassicMember(
            String memberId,
            String instanceId,
            String clientId,
            String clientHost,
            int sessionTimeoutMs,
            int rebalanceTimeoutMs,
            List<GroupProtocol> protocols,
            byte[] subscription,
            byte[] assignment) {}

    record ClassicView(int generation, boolean stable, String protocolType, List<ClassicMember> members) {}

    /** The classic side: lets a classic group be taken over by a consumer group, and the other way round. */
    interface ClassicGroups {
        /**
         * With the classic group of this id locked, offers it to {@code takeOver}; when that returns normally the
         * classic group is dropped. Returns false when there is no classic group.
         */
        boolean upgrade(String groupId, java.util.function.Consumer<ClassicView> takeOver);

        /**
         * Makes a classic group of these members (their assignment in the consumer protocol's bytes): its
         * GroupMetadata record goes to {@code write}, which writes it with the consumer group's tombstones and
         * throws when it cannot; once written, the classic group is served and, when asked, rebalances. False,
         * with nothing written, when the members have no protocol in common or a classic group of that id is
         * still here.
         */
        boolean downgrade(
                String groupId,
                ClassicView view,
                boolean rebalance,
                java.util.function.Consumer<InternalTopicLog.Entry> write);
    }

    /** What the coordinator remembers of a member beyond its records. */
    private static final class Live {
        long lastHeartbeatMs;
        boolean expiryScheduled;
        /** The owned partitions the member last reported (null: never). */
        Map<Uuid, Set<Integer>> owned;
        /** The assignment last sent to it (null: none since this broker took the group). */
        Map<Uuid, Set<Integer>> sent;

        long revokeDeadlineMs = -1;
    }

    private static final class Group {
        final String id;
        final Map<String, Live> live = new HashMap<>();
        /** Member ids handed out with MEMBER_ID_REQUIRED to classic members. */
        final Set<String> pendingClassic = new HashSet<>();

        boolean dead;
        /** When the group's expressions were last resolved, and the topic catalog's version then (-1: unknown). */
        long regexRefreshMs = Long.MIN_VALUE / 2;

        long regexVersion = -1;

        Group(String id) {
            this.id = id;
        }
    }

    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final ConsumerGroupStore store;
    private final TopicCatalog topics;
    private final GroupTimer timer;
    private final Settings settings;
    /** Per-group consumer.session.timeout.ms and consumer.heartbeat.interval.ms (GROUP config resources). */
    private volatile GroupConfigs groupConfigs;

    private final ClassicGroups classic;

    ConsumerGroupCoordinator(
            ConsumerGroupStore store, TopicCatalog topics, GroupTimer timer, Settings settings, ClassicGroups classic) {
        this.store = store;
        this.topics = topics;
        this.timer = timer;
        this.settings = settings;
        this.classic = classic;
        for (String id : store.consumerGroupIds()) load(id);
    }

    /** Takes over the groups of a partition of {@code __consumer_offsets} this broker now leads. */
    void loadPartition(int partition) {
        for (String id : store.consumerGroupIds()) if (store.partitionOf(id) == partition) load(id);
    }

    void unloadPartition(int partition) {
        for (Group g : groups.values()) {
            if (store.partitionOf(g.id) != partition) continue;
            synchronized (g) {
                g.dead = true;
                groups.remove(g.id, g);
            }
        }
    }

    /** A group found in the store: every member's session starts now. */
    private void load(String id) {
        ConsumerGroupState s = store.consumerGroup(id);
        if (s == null || groups.containsKey(id)) return;
        Group g = new Group(id);
        synchronized (g) {
            groups.put(id, g);
            for (ConsumerGroupState.Resolved r : s.regexes.values())
                g.regexRefreshMs = Math.max(g.regexRefreshMs, r.timestamp());
            for (String m : s.members.keySet()) touch(g, m);
        }
    }

    /** Whether a group of this id is a consumer group here. */
    public boolean isConsumerGroup(String groupId) {
        return groupId != null && groups.containsKey(groupId);
    }

    // ---------------------------------------------------------------- ConsumerGroupHeartbeat

    public ConsumerGroupHeartbeatResponseData heartbeat(
            ConsumerGroupHeartbeatRequestData r, String clientId, String clientHost, short version) {
        validate(r, version);
        Group g = groups.get(r.groupId());
        if (g == null) {
            if (r.memberEpoch() != 0)
                throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + r.groupId() + " not found.");
            g = createGroup(r.groupId());
        }
        synchronized (g) {
            if (g.dead) throw new ApiException(Errors.NOT_COORDINATOR, "group " + r.groupId() + " moved");
            ConsumerGroupState s = store.consumerGroup(g.id);
            try {
                if (r.memberEpoch() == -1 || r.memberEpoch() == -2) return leave(g, s, r);
                return join(g, s, r, clientId, clientHost);
            } finally {
                if (store.consumerGroup(g.id) == null) {
                    // nothing was written for a group just made: it does not exist
                    g.dead = true;
                    groups.remove(g.id, g);
                }
            }
        }
    }

    /** Kafka's checks of a heartbeat before anything is looked up. */
    private void validate(ConsumerGroupHeartbeatRequestData r, short version) {
        if (r.groupId() == null || r.groupId().isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        if (!InternalTopicLog.fits(r.groupId())) throw new ApiException(Errors.INVALID_GROUP_ID, "group id too long");
        if (r.instanceId() != null && r.instanceId().isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "InstanceId can't be empty.");
        if (r.rackId() != null && r.rackId().isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "RackId can't be empty.");
        if (version >= 1 && (r.memberId() == null || r.memberId().isEmpty()))
            throw new ApiException(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1)
                throw new ApiException(Errors.INVALID_REQUEST, "RebalanceTimeoutMs must be provided in first request.");
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty())
                throw new ApiException(Errors.INVALID_REQUEST, "TopicPartitions must be empty when (re-)joining.");
            if (r.subscribedTopicNames() == null && r.subscribedTopicRegex() == null)
                throw new ApiException(
                        Errors.INVALID_REQUEST,
                        "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
        } else if (r.memberEpoch() == -2 && r.instanceId() == null) {
            throw new ApiException(Errors.INVALID_REQUEST, "InstanceId can't be null.");
        } else if (r.memberEpoch() < -2) {
            throw new ApiException(Errors.INVALID_REQUEST, "MemberEpoch is invalid.");
        }
        if (r.subscribedTopicRegex() != null) {
            if (r.subscribedTopicRegex().length() > MAX_REGEX_LENGTH)
                throw new ApiException(
                        Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex longer than " + MAX_REGEX_LENGTH + " characters.");
            if (!r.subscribedTopicRegex().isEmpty()) compile(r.subscribedTopicRegex());
        }
        if (r.serverAssignor() != null && !settings.assignors().contains(r.serverAssignor()))
            throw new ApiException(
                    Errors.UNSUPPORTED_ASSIGNOR,
                    "ServerAssignor " + r.serverAssignor() + " is not supported. Supported assignors: "
                            + String.join(", ", settings.assignors()) + ".");
        // every string must fit its record: Kafka has no such limit, but a record Skiff cannot read back is worse
        if (!InternalTopicLog.fits(r.memberId())
                || !InternalTopicLog.fits(r.instanceId())
                || !InternalTopicLog.fits(r.rackId()))
            throw new ApiException(Errors.INVALID_REQUEST, "a member id, instance id or rack id is too long");
        if (r.subscribedTopicNames() != null)
            for (String t : r.subscribedTopicNames())
                if (t == null || !InternalTopicLog.fits(t))
                    throw new ApiException(Errors.INVALID_REQUEST, "a subscribed topic name is null or too long");
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ApiException(
                    Errors.INVALID_REGULAR_EXPRESSION,
                    "SubscribedTopicRegex `" + abbreviate(regex) + "` is not a valid regular expression: "
                            + e.getDescription() + ".");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** A new consumer group, or one taken over from a classic group of the same id. */
    private Group createGroup(String groupId) {
        Group fresh = new Group(groupId);
        synchronized (fresh) {
            boolean[] upgraded = {false};
            boolean found = classic.upgrade(groupId, view -> {
                upgrade(fresh, view);
                upgraded[0] = true;
            });
            Group existing = groups.putIfAbsent(groupId, fresh);
            if (existing != null) return existing;
            if (found && upgraded[0]) log.info("Group {} upgraded from the classic protocol", groupId);
        }
        return fresh;
    }

    /** Writes a classic group as a consumer group: its members keep their assignment and generation. */
    private void upgrade(Group g, ClassicView view) {
        if (view.members().isEmpty()) {
            store.write(g.id, List.of(new InternalTopicLog.Entry(GroupRecords.groupKey(g.id), null)));
            return;
        }
        if (!settings.upgrades())
            throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + g.id + " is not a consumer group.");
        // as Kafka 4.1.1, in any state: members waiting in a rebalance are told to rejoin
        if (!PROTOCOL_TYPE.equals(view.protocolType()))
            throw new ApiException(
                    Errors.GROUP_ID_NOT_FOUND,
                    "Cannot upgrade classic group " + g.id + ": it is not of protocol type consumer.");
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        entries.add(new InternalTopicLog.Entry(GroupRecords.groupKey(g.id), null));
        Map<String, ConsumerGroupMemberMetadataValueData> members = new LinkedHashMap<>();
        for (ClassicMember m : view.members()) {
            ClassicConsumerProtocol.Subscription sub = ClassicConsumerProtocol.subscription(m.subscription());
            Map<String, List<Integer>> assigned = ClassicConsumerProtocol.assignment(m.assignment());
            if (sub == null || assigned == null)
                throw new ApiException(
                        Errors.GROUP_ID_NOT_FOUND,
                        "Cannot upgrade classic group " + g.id + ": unreadable member metadata.");
            ConsumerGroupMemberMetadataValueData md = classicMetadata(
                    m.instanceId(),
                    m.clientId(),
                    m.clientHost(),
                    m.rebalanceTimeoutMs(),
                    m.sessionTimeoutMs(),
                    m.protocols(),
                    sub);
            members.put(m.memberId(), md);
            entries.add(ConsumerGroupRecords.member(g.id, m.memberId(), md));
            Map<Uuid, Set<Integer>> ids = toIds(assigned);
            entries.add(ConsumerGroupRecords.targetMember(g.id, m.memberId(), ids));
            entries.add(ConsumerGroupRecords.current(
                    g.id,
                    m.memberId(),
                    new ConsumerGroupState.Current(
                            view.generation(), view.generation(), ConsumerGroupState.STABLE, ids, Map.of())));
        }
        entries.add(ConsumerGroupRecords.group(g.id, view.generation(), metadataHash(members, Map.of())));
        entries.add(ConsumerGroupRecords.targetMetadata(g.id, view.generation()));
        store.write(g.id, entries);
        for (ClassicMember m : view.members()) touch(g, m.memberId());
    }

    private ConsumerGroupHeartbeatResponseData join(
            Group g, ConsumerGroupState s, ConsumerGroupHeartbeatRequestData r, String clientId, String clientHost) {
        String memberId = r.memberId();
        ConsumerGroupMemberMetadataValueData old = s == null ? null : s.members.get(memberId);
        ConsumerGroupState.Current cur = s == null ? null : s.current.get(memberId);
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        Map<String, ConsumerGroupMemberMetadataValueData> members =
                s == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.members);
        Map<Uuid, Set<Integer>> owned = r.topicPartitions() == null ? null : ownedOf(r.topicPartitions());
        boolean replacedStatic = false;
        String replaced = null;
        if (r.memberEpoch() == 0) {
            if (r.instanceId() != null) {
                String holder = s == null ? null : memberOfInstance(s, r.instanceId());
                if (holder != null && !holder.equals(memberId)) {
                    ConsumerGroupState.Current held = s.current.get(holder);
                    if (held == null || held.memberEpoch() != -2)
                        throw new ApiException(
                                Errors.UNRELEASED_INSTANCE_ID,
                                "Static member " + r.instanceId() + " with member id " + holder
                                        + " has not left the group yet.");
                    // the static member comes back under a new member id: it takes the old one's place and assignment
                    old = s.members.get(holder);
                    Map<Uuid, Set<Integer>> target = s.target.getOrDefault(holder, Map.of());
                    entries.add(ConsumerGroupRecords.current(g.id, holder, null));
                    entries.add(ConsumerGroupRecords.targetMember(g.id, holder, null));
                    entries.add(ConsumerGroupRecords.member(g.id, holder, null));
                    members.remove(holder);
                    entries.add(ConsumerGroupRecords.targetMember(g.id, memberId, target));
                    cur = new ConsumerGroupState.Current(
                            held.previousMemberEpoch(),
                            held.previousMemberEpoch(),
                            held.state(),
                            held.assigned(),
                            held.pendingRevocation());
                    g.live.remove(holder);
                    replacedStatic = true;
                    replaced = holder;
                }
            }
            if (old == null && members.size() >= settings.maxSize())
                throw new ApiException(
                        Errors.GROUP_MAX_SIZE_REACHED,
                        "The consumer group has reached its maximum capacity of " + settings.maxSize() + " members.");
            if (!replacedStatic) cur = null; // (re)joining: whatever it had is gone
        } else {
            if (old == null || cur == null)
                throw new ApiException(
                        Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group " + g.id + ".");
            if (r.memberEpoch() > cur.memberEpoch()
                    || (r.memberEpoch() < cur.memberEpoch()
                            && (r.memberEpoch() != cur.previousMemberEpoch()
                                    || owned == null
                                    || !subset(owned, cur.assigned()))))
                throw new ApiException(
                        Errors.FENCED_MEMBER_EPOCH,
                        "The consumer group member has a smaller member epoch (" + r.memberEpoch()
                                + ") than the one known by the group coordinator (" + cur.memberEpoch()
                                + "). The member must abandon all its partitions and rejoin.");
        }
        Live live = g.live.computeIfAbsent(memberId, x -> new Live());
        if (owned != null) live.owned = owned;
        if (r.memberEpoch() == 0) {
            live.sent = null;
            live.owned = new HashMap<>();
        }

        ConsumerGroupMemberMetadataValueData md = old == null
                ? new ConsumerGroupMemberMetadataValueData().setSubscribedTopicNames(new ArrayList<>())
                : copy(old);
        md.setClientId(clientId == null ? "" : clientId).setClientHost(clientHost == null ? "" : clientHost);
        if (r.instanceId() != null) md.setInstanceId(r.instanceId());
        if (r.rackId() != null) md.setRackId(r.rackId());
        if (r.rebalanceTimeoutMs() != -1) md.setRebalanceTimeoutMs(r.rebalanceTimeoutMs());
        if (r.subscribedTopicNames() != null)
            md.setSubscribedTopicNames(new ArrayList<>(new TreeSet<>(r.subscribedTopicNames())));
        if (r.subscribedTopicRegex() != null)
            md.setSubscribedTopicRegex(r.subscribedTopicRegex().isEmpty() ? null : r.subscribedTopicRegex());
        if (r.serverAssignor() != null) md.setServerAssignor(r.serverAssignor());
        md.setClassicMemberMetadata(null);
        boolean subscriptionChanged = old == null
                || !Objects.equals(old.subscribedTopicNames(), md.subscribedTopicNames())
                || !Objects.equals(old.subscribedTopicRegex(), md.subscribedTopicRegex())
                || !Objects.equals(old.serverAssignor(), md.serverAssignor());
        if (replacedStatic || !md.equals(old)) entries.add(ConsumerGroupRecords.member(g.id, memberId, md));
        members.put(memberId, md);
        long refreshedMs = g.regexRefreshMs;
        long refreshedVersion = g.regexVersion;
        Map<String, List<String>> resolved = refreshRegexes(g, s, members, entries);
        ConsumerGroupState.Current next =
                update(g, s, memberId, replaced, members, resolved, subscriptionChanged, cur, live.owned, entries);
        try {
            store.write(g.id, entries);
        } catch (ApiException e) {
            // nothing was stored: the expressions are resolved again on the next heartbeat
            g.regexRefreshMs = refreshedMs;
            g.regexVersion = refreshedVersion;
            throw e;
        }
        return answer(g, memberId, next, r.memberEpoch() == 0 || owned != null);
    }

    /**
     * The records of a member's change (already in {@code members}): the group's epoch when subscriptions or the
     * topics they resolve to changed, the new target when the epoch moved past it, and the member's reconciled
     * current assignment. Returns that assignment.
     */
    private ConsumerGroupState.Current update(
            Group g,
            ConsumerGroupState s,
            String memberId,
            String replaced,
            Map<String, ConsumerGroupMemberMetadataValueData> members,
            Map<String, List<String>> resolved,
            boolean subscriptionChanged,
            ConsumerGroupState.Current cur,
            Map<Uuid, Set<Integer>> owned,
            List<InternalTopicLog.Entry> entries) {
        int epoch = s == null ? 0 : s.epoch;
        long hash = metadataHash(members, resolved);
        if (s == null || !s.exists || subscriptionChanged || hash != s.metadataHash) {
            epoch++;
            entries.add(ConsumerGroupRecords.group(g.id, epoch, hash));
        }
        Map<String, Map<Uuid, Set<Integer>>> targets = s == null ? new HashMap<>() : new HashMap<>(s.target);
        int assignmentEpoch = s == null ? 0 : s.assignmentEpoch;
        // a static member back under a new id takes over its old id's target
        if (replaced != null && targets.containsKey(replaced)) targets.put(memberId, targets.remove(replaced));
        if (epoch > assignmentEpoch) {
            targets = computeTarget(g, members, resolved, targets, entries);
            assignmentEpoch = epoch;
            entries.add(ConsumerGroupRecords.targetMetadata(g.id, epoch));
        }
        if (cur == null) cur = new ConsumerGroupState.Current(0, -1, ConsumerGroupState.STABLE, Map.of(), Map.of());
        ConsumerGroupState.Current next =
                reconcile(s, memberId, replaced, cur, targets.getOrDefault(memberId, Map.of()), assignmentEpoch, owned);
        if (!next.equals(cur) || s == null || !s.current.containsKey(memberId))
            entries.add(ConsumerGroupRecords.current(g.id, memberId, next));
        if (next.state() == ConsumerGroupState.UNREVOKED_PARTITIONS
                && cur.state() != ConsumerGroupState.UNREVOKED_PARTITIONS) {
            ConsumerGroupMemberMetadataValueData md = members.get(memberId);
            g.live.computeIfAbsent(memberId, x -> new Live()).revokeDeadlineMs =
                    timer.nowMs() + Math.max(md.rebalanceTimeoutMs(), 0);
        } else if (next.state() != ConsumerGroupState.UNREVOKED_PARTITIONS) {
            g.live.computeIfAbsent(memberId, x -> new Live()).revokeDeadlineMs = -1;
        }
        return next;
    }

    /** The next target of every member; records for those that change. */
    private Map<String, Map<Uuid, Set<Integer>>> computeTarget(
            Group g,
            Map<String, ConsumerGroupMemberMetadataValueData> members,
            Map<String, List<String>> resolved,
            Map<String, Map<Uuid, Set<Integer>>> previous,
            List<InternalTopicLog.Entry> entries) {
        Map<String, Set<Uuid>> subscriptions = new TreeMap<>();
        Map<Uuid, Integer> counts = new HashMap<>();
        for (Map.Entry<String, ConsumerGroupMemberMetadataValueData> e : members.entrySet()) {
            Set<Uuid> ids = new HashSet<>();
            for (String name : subscribedNames(e.getValue(), resolved)) {
                TopicCatalog.TopicInfo t = topics.byName(name);
                if (t == null) continue;
                ids.add(t.id());
                counts.put(t.id(), t.partitions());
            }
            subscriptions.put(e.getKey(), ids);
        }
        ServerAssignor assignor = ServerAssignor.named(assignorOf(members));
        Map<String, Map<Uuid, Set<Integer>>> next = assignor.assign(subscriptions, counts, previous);
        for (Map.Entry<String, Map<Uuid, Set<Integer>>> e : next.entrySet()) {
            if (!e.getValue().equals(previous.get(e.getKey())))
                entries.add(ConsumerGroupRecords.targetMember(g.id, e.getKey(), e.getValue()));
        }
        return next;
    }

    /** The group's assignor: the one most members ask for, else the first configured (Kafka's rule). */
    private String assignorOf(Map<String, ConsumerGroupMemberMetadataValueData> members) {
        Map<String, Integer> votes = new HashMap<>();
        for (ConsumerGroupMemberMetadataValueData m : members.values())
            if (m.serverAssignor() != null) votes.merge(m.serverAssignor(), 1, Integer::sum);
        String best = settings.assignors().get(0);
        int most = 0;
        for (Map.Entry<String, Integer> e : votes.entrySet())
            if (e.getValue() > most && settings.assignors().contains(e.getKey())) {
                best = e.getKey();
                most = e.getValue();
            }
        return best;
    }

    /**
     * Kafka's reconciliation of one member: partitions it has that the target no longer gives it are revoked
     * first (its epoch stays); once none is left to revoke it takes the target's epoch and every target partition
     * no other member still holds.
     */
    private static ConsumerGroupState.Current reconcile(
            ConsumerGroupState s,
            String memberId,
            String replaced,
            ConsumerGroupState.Current cur,
            Map<Uuid, Set<Integer>> target,
            int targetEpoch,
            Map<Uuid, Set<Integer>> owned) {
        if (cur.state() == ConsumerGroupState.UNREVOKED_PARTITIONS) {
            if (owned == null || intersects(owned, cur.pendingRevocation())) return cur;
            cur = new ConsumerGroupState.Current(
                    cur.memberEpoch(), cur.previousMemberEpoch(), ConsumerGroupState.STABLE, cur.assigned(), Map.of());
        }
        if (cur.state() == ConsumerGroupState.STABLE
                && cur.memberEpoch() == targetEpoch
                && cur.assigned().equals(target)) return cur;
        Map<Uuid, Set<Integer>> keep = new TreeMap<>(ServerAssignor.UUID_ORDER);
        Map<Uuid, Set<Integer>> revoke = new TreeMap<>(ServerAssignor.UUID_ORDER);
        cur.assigned()
                .forEach((t, ps) -> ps.forEach(p -> {
                    boolean stays = target.getOrDefault(t, Set.of()).contains(p);
                    (stays ? keep : revoke)
                            .computeIfAbsent(t, x -> new TreeSet<>())
                            .add(p);
                }));
        if (!revoke.isEmpty())
            return new ConsumerGroupState.Current(
                    cur.memberEpoch(),
                    cur.previousMemberEpoch(),
                    ConsumerGroupState.UNREVOKED_PARTITIONS,
                    keep,
                    revoke);
        Set<String> heldByOthers = heldByOthers(s, memberId, replaced);
        boolean unreleased = false;
        for (Map.Entry<Uuid, Set<Integer>> e : target.entrySet()) {
            for (int p : e.getValue()) {
                if (keep.getOrDefault(e.getKey(), Set.of()).contains(p)) continue;
                if (heldByOthers.contains(e.getKey() + ":" + p)) unreleased = true;
                else keep.computeIfAbsent(e.getKey(), x -> new TreeSet<>()).add(p);
            }
        }
        int previous = cur.memberEpoch() == targetEpoch ? cur.previousMemberEpoch() : cur.memberEpoch();
        return new ConsumerGroupState.Current(
                targetEpoch,
                previous,
                unreleased ? ConsumerGroupState.UNRELEASED_PARTITIONS : ConsumerGroupState.STABLE,
                keep,
                Map.of());
    }

    /** Partitions other members have or have yet to revoke, as "topicId:partition". */
    private static Set<String> heldByOthers(ConsumerGroupState s, String memberId, String replaced) {
        Set<String> out = new HashSet<>();
        if (s == null) return out;
        s.current.forEach((m, c) -> {
            if (m.equals(memberId) || m.equals(replaced)) return;
            c.assigned().forEach((t, ps) -> ps.forEach(p -> out.add(t + ":" + p)));
            c.pendingRevocation().forEach((t, ps) -> ps.forEach(p -> out.add(t + ":" + p)));
        });
        return out;
    }

    private ConsumerGroupHeartbeatResponseData answer(
            Group g, String memberId, ConsumerGroupState.Current c, boolean full) {
        touch(g, memberId);
        Live live = g.live.get(memberId);
        ConsumerGroupHeartbeatResponseData out = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId)
                .setMemberEpoch(c.memberEpoch())
                .setHeartbeatIntervalMs(heartbeatIntervalMs(g.id));
        if (full
                || live.sent == null
                || !live.sent.equals(c.assigned())
                || (live.owned != null && !live.owned.equals(c.assigned()))) {
            ConsumerGroupHeartbeatResponseData.Assignment a = new ConsumerGroupHeartbeatResponseData.Assignment();
            c.assigned()
                    .forEach((t, ps) -> a.topicPartitions()
                            .add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                                    .setTopicId(t)
                                    .setPartitions(new ArrayList<>(ps))));
            out.setAssignment(a);
            live.sent = c.assigned();
        }
        return out;
    }

    private ConsumerGroupHeartbeatResponseData leave(
            Group g, ConsumerGroupState s, ConsumerGroupHeartbeatRequestData r) {
        String memberId = r.memberId();
        if (r.instanceId() != null && s != null) {
            String holder = memberOfInstance(s, r.instanceId());
            if (holder == null)
                throw new ApiException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + r.instanceId() + " is unknown.");
            if (!holder.equals(memberId))
                throw new ApiException(
                        Errors.FENCED_INSTANCE_ID, "Static member " + r.instanceId() + " is owned by another member.");
        }
        if (s == null || !s.members.containsKey(memberId))
            throw new ApiException(
                    Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group " + g.id + ".");
        if (r.memberEpoch() == -2) {
            // a static member leaving for a while keeps its assignment until its session ends
            ConsumerGroupState.Current c = s.current.get(memberId);
            store.write(
                    g.id,
                    List.of(ConsumerGroupRecords.current(
                            g.id,
                            memberId,
                            new ConsumerGroupState.Current(
                                    -2, c.memberEpoch(), c.state(), c.assigned(), c.pendingRevocation()))));
        } else {
            fence(g, s, Set.of(memberId), "left");
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(r.memberEpoch());
    }

    /**
     * Kafka's fencing of members (left, or their session or revocation time ran out): when every member staying
     * uses the classic protocol and the migration policy allows a downgrade, the group becomes a classic group of
     * them (Kafka's online downgrade); else each is removed.
     */
    private void fence(Group g, ConsumerGroupState s, Set<String> leaving, String why) {
        if (downgradable(s, leaving) && downgrade(g, s, leaving, why)) return;
        for (String m : leaving) {
            ConsumerGroupState now = store.consumerGroup(g.id);
            if (now != null && now.members.containsKey(m)) removeMember(g, now, m, why);
        }
    }

    /** Kafka's validateOnlineDowngradeWithFencedMembers: someone stays, all classic, and the policy allows it. */
    private boolean downgradable(ConsumerGroupState s, Set<String> leaving) {
        boolean someoneStays = false;
        for (Map.Entry<String, ConsumerGroupMemberMetadataValueData> e : s.members.entrySet()) {
            if (leaving.contains(e.getKey())) continue;
            if (e.getValue().classicMemberMetadata() == null) return false;
            someoneStays = true;
        }
        if (!someoneStays) return false;
        if (!settings.downgrades()) {
            log.info(
                    "Cannot downgrade consumer group {} to a classic group: group.consumer.migration.policy is {}",
                    s.groupId,
                    settings.migrationPolicy());
            return false;
        }
        return true;
    }

    /**
     * Kafka's convertToClassicGroup: the consumer group's records are deleted and a classic group of the members
     * staying is written in the same batch, at the group's epoch as its generation, each member with its target
     * assignment; the classic group then rebalances. False, with nothing written, when it cannot be made.
     */
    private boolean downgrade(Group g, ConsumerGroupState s, Set<String> leaving, String why) {
        List<ClassicMember> members = new ArrayList<>();
        for (Map.Entry<String, ConsumerGroupMemberMetadataValueData> e : s.members.entrySet())
            if (!leaving.contains(e.getKey()))
                members.add(classicMember(e.getKey(), e.getValue(), s.target.getOrDefault(e.getKey(), Map.of())));
        if (!convert(g, s, members, true)) return false;
        log.info(
                "Group {}: member(s) {} {}; the {} member(s) left use the classic protocol: downgraded to a classic group",
                g.id,
                leaving,
                why,
                members.size());
        return true;
    }

    /** A classic member of a consumer group as the classic group takes it, with this assignment. */
    private ClassicMember classicMember(
            String memberId, ConsumerGroupMemberMetadataValueData md, Map<Uuid, Set<Integer>> assigned) {
        ConsumerGroupMemberMetadataValueData.ClassicMemberMetadata cm = md.classicMemberMetadata();
        List<GroupProtocol> protocols = new ArrayList<>();
        for (ConsumerGroupMemberMetadataValueData.ClassicProtocol p : cm.supportedProtocols())
            protocols.add(new GroupProtocol(p.name(), p.metadata()));
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        assigned.forEach((t, ps) -> {
            TopicCatalog.TopicInfo info = topics.byId(t);
            if (info != null) byName.put(info.name(), new ArrayList<>(ps));
        });
        return new ClassicMember(
                memberId,
                md.instanceId(),
                md.clientId(),
                md.clientHost(),
                cm.sessionTimeoutMs(),
                md.rebalanceTimeoutMs(),
                protocols,
                null,
                ClassicConsumerProtocol.encodeAssignment(byName));
    }

    /** Deletes the group's records and writes a classic group of {@code members} at its epoch, in one batch. */
    private boolean convert(Group g, ConsumerGroupState s, List<ClassicMember> members, boolean rebalance) {
        List<InternalTopicLog.Entry> entries = ConsumerGroupRecords.tombstones(s);
        boolean done =
                classic.downgrade(g.id, new ClassicView(s.epoch, true, PROTOCOL_TYPE, members), rebalance, record -> {
                    entries.add(record);
                    store.write(g.id, entries);
                });
        if (!done) return false;
        g.dead = true;
        groups.remove(g.id, g);
        return true;
    }

    /** Removes a member (left, or its session or revocation time ran out); the group's epoch moves on. */
    private void removeMember(Group g, ConsumerGroupState s, String memberId, String why) {
        List<InternalTopicLog.Entry> entries = new ArrayList<>();
        entries.add(ConsumerGroupRecords.current(g.id, memberId, null));
        entries.add(ConsumerGroupRecords.targetMember(g.id, memberId, null));
        entries.add(ConsumerGroupRecords.member(g.id, memberId, null));
        Map<String, ConsumerGroupMemberMetadataValueData> members = new LinkedHashMap<>(s.members);
        members.remove(memberId);
        Map<String, List<String>> resolved = resolved(s);
        dropUnsubscribed(g, resolved, members, entries);
        // as Kafka: the epoch moves on now, the next heartbeat computes the others' target
        entries.add(ConsumerGroupRecords.group(g.id, s.epoch + 1, metadataHash(members, resolved)));
        store.write(g.id, entries);
        g.live.remove(memberId);
        log.info("Group {}: member {} {}", g.id, memberId, why);
    }

    // ---------------------------------------------------------------- sessions

    private void touch(Group g, String memberId) {
        Live live = g.live.computeIfAbsent(memberId, x -> new Live());
        live.lastHeartbeatMs = timer.nowMs();
        if (!live.expiryScheduled) {
            live.expiryScheduled = true;
            timer.schedule(sessionTimeout(g, memberId), () -> checkSession(g, memberId, live));
        }
    }

    private int sessionTimeout(Group g, String memberId) {
        ConsumerGroupState s = store.consumerGroup(g.id);
        ConsumerGroupMemberMetadataValueData md = s == null ? null : s.members.get(memberId);
        if (md != null && md.classicMemberMetadata() != null)
            return md.classicMemberMetadata().sessionTimeoutMs();
        GroupConfigs gc = groupConfigs;
        return gc == null
                ? settings.sessionTimeoutMs()
                : gc.consumerSessionTimeoutMs(g.id, settings.sessionTimeoutMs());
    }

    private int heartbeatIntervalMs(String groupId) {
        GroupConfigs gc = groupConfigs;
        return gc == null
                ? settings.heartbeatIntervalMs()
                : gc.consumerHeartbeatIntervalMs(groupId, settings.heartbeatIntervalMs());
    }

    /** Reads each group's session timeout and heartbeat interval from its group configs from now on. */
    public void useGroupConfigs(GroupConfigs configs) {
        this.groupConfigs = configs;
    }

    private void checkSession(Group g, String memberId, Live live) {
        synchronized (g) {
            live.expiryScheduled = false;
            if (g.dead || g.live.get(memberId) != live) return;
            ConsumerGroupState s = store.consumerGroup(g.id);
            if (s == null || !s.members.containsKey(memberId)) {
                g.live.remove(memberId);
                return;
            }
            long now = timer.nowMs();
            long due = live.lastHeartbeatMs + sessionTimeout(g, memberId);
            boolean revocationLate = live.revokeDeadlineMs >= 0 && now >= live.revokeDeadlineMs;
            if (now >= due || revocationLate) {
                try {
                    fence(
                            g,
                            s,
                            Set.of(memberId),
                            revocationLate ? "did not revoke in time and is fenced" : "session expired");
                } catch (ApiException e) {
                    log.warn("Group {}: removing member {} failed: {}", g.id, memberId, e.getMessage());
                    live.expiryScheduled = true;
                    timer.schedule(1000, () -> checkSession(g, memberId, live));
                }
                return;
            }
            live.expiryScheduled = true;
            long next = due - now;
            if (live.revokeDeadlineMs >= 0) next = Math.min(next, live.revokeDeadlineMs - now);
            timer.schedule(Math.max(1, next), () -> checkSession(g, memberId, live));
        }
    }

    // ---------------------------------------------------------------- classic members in a consumer group

    /** JoinGroup of a classic member: answered at once with its generation (its member epoch). */
    JoinGroupResponseData classicJoin(JoinRequest r) {
        Group g = groups.get(r.groupId());
        if (g == null) return null;
        synchronized (g) {
            if (g.dead) return null;
            ConsumerGroupState s = store.consumerGroup(g.id);
            if (!PROTOCOL_TYPE.equals(r.protocolType())) return joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, r);
            GroupProtocol chosen = null;
            ClassicConsumerProtocol.Subscription sub = null;
            for (GroupProtocol p : r.protocols()) {
                sub = ClassicConsumerProtocol.subscription(p.metadata());
                if (sub != null) {
                    chosen = p;
                    break;
                }
            }
            if (chosen == null) return joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, r);
            String memberId = r.memberId() == null ? "" : r.memberId();
            String instanceHolder =
                    r.groupInstanceId() == null || s == null ? null : memberOfInstance(s, r.groupInstanceId());
            if (memberId.isEmpty()) {
                String prefix =
                        r.groupInstanceId() != null ? r.groupInstanceId() : r.clientId() == null ? "" : r.clientId();
                memberId = prefix + "-" + UUID.randomUUID();
                if (r.version() >= 4 && r.groupInstanceId() == null) {
                    g.pendingClassic.add(memberId);
                    return new JoinGroupResponseData()
                            .setErrorCode(Errors.MEMBER_ID_REQUIRED.code())
                            .setMemberId(memberId)
                            .setGenerationId(-1)
                            .setLeader("")
                            .setProtocolName(r.version() >= 7 ? null : "");
                }
            } else if (s == null || (!s.members.containsKey(memberId) && !g.pendingClassic.contains(memberId))) {
                return joinError(Errors.UNKNOWN_MEMBER_ID, r);
            }
            List<InternalTopicLog.Entry> entries = new ArrayList<>();
            Map<String, ConsumerGroupMemberMetadataValueData> members =
                    s == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.members);
            ConsumerGroupState.Current cur = s == null ? null : s.current.get(memberId);
            String replaced = null;
            if (instanceHolder != null && !instanceHolder.equals(memberId)) {
                replaced = instanceHolder;
                // a static classic member back under a new id replaces the old one
                entries.add(ConsumerGroupRecords.current(g.id, instanceHolder, null));
                entries.add(ConsumerGroupRecords.targetMember(g.id, instanceHolder, null));
                entries.add(ConsumerGroupRecords.member(g.id, instanceHolder, null));
                members.remove(instanceHolder);
                g.live.remove(instanceHolder);
            }
            ConsumerGroupMemberMetadataValueData old = members.get(memberId);
            if (old == null && members.size() >= settings.maxSize()) return joinError(Errors.GROUP_MAX_SIZE_REACHED, r);
            int rebalanceTimeout =
                    r.version() == 0 || r.rebalanceTimeoutMs() < 0 ? r.sessionTimeoutMs() : r.rebalanceTimeoutMs();
            ConsumerGroupMemberMetadataValueData md = classicMetadata(
                    r.groupInstanceId(),
                    r.clientId(),
                    r.clientHost(),
                    rebalanceTimeout,
                    r.sessionTimeoutMs(),
                    r.protocols(),
                    sub);
            if (old != null) md.setRackId(old.rackId());
            boolean subscriptionChanged =
                    old == null || !Objects.equals(old.subscribedTopicNames(), md.subscribedTopicNames());
            if (!md.equals(old)) entries.add(ConsumerGroupRecords.member(g.id, memberId, md));
            members.put(memberId, md);
            Map<Uuid, Set<Integer>> owned = toIds(sub.owned());
            Live live = g.live.computeIfAbsent(memberId, x -> new Live());
            live.owned = owned;
            ConsumerGroupState.Current next;
            try {
                next = update(g, s, memberId, replaced, members, resolved(s), subscriptionChanged, cur, owned, entries);
                if (replaced != null && onlyClassicMembersBut(s, replaced) && settings.downgrades()) {
                    JoinGroupResponseData converted = replaceAndDowngrade(g, s, replaced, memberId, members, chosen);
                    if (converted != null) return converted;
                }
                store.write(g.id, entries);
            } catch (ApiException e) {
                return joinError(e.error(), r);
            }
            g.pendingClassic.remove(memberId);
            touch(g, memberId);
            return new JoinGroupResponseData()
                    .setMemberId(memberId)
                    .setGenerationId(next.memberEpoch())
                    .setProtocolType(PROTOCOL_TYPE)
                    .setProtocolName(chosen.name())
                    .setLeader("");
        }
    }

    private static boolean onlyClassicMembersBut(ConsumerGroupState s, String memberId) {
        for (Map.Entry<String, ConsumerGroupMemberMetadataValueData> e : s.members.entrySet())
            if (!e.getKey().equals(memberId) && e.getValue().classicMemberMetadata() == null) return false;
        return true;
    }

    /**
     * Kafka's downgrade when a classic static member takes the place of the last consumer-protocol one: the group
     * becomes a classic group of the members, the new one with the old one's target assignment; it rebalances
     * only when the subscription differs. The join is answered with the classic group's generation. Null when no
     * classic group can be made (nothing written).
     */
    private JoinGroupResponseData replaceAndDowngrade(
            Group g,
            ConsumerGroupState s,
            String replaced,
            String memberId,
            Map<String, ConsumerGroupMemberMetadataValueData> members,
            GroupProtocol chosen) {
        ConsumerGroupMemberMetadataValueData was = s.members.get(replaced);
        ConsumerGroupMemberMetadataValueData now = members.get(memberId);
        List<ClassicMember> classicMembers = new ArrayList<>();
        members.forEach((id, md) -> classicMembers.add(
                classicMember(id, md, s.target.getOrDefault(id.equals(memberId) ? replaced : id, Map.of()))));
        boolean rebalance = !Objects.equals(was.subscribedTopicNames(), now.subscribedTopicNames())
                || (was.subscribedTopicRegex() != null
                        && !was.subscribedTopicRegex().isEmpty());
        int generation = s.epoch; // the write below applies the group's tombstones to s
        if (!convert(g, s, classicMembers, rebalance)) return null;
        log.info(
                "Group {}: classic member {} replaced {}, the last using the consumer protocol: downgraded to a"
                        + " classic group",
                g.id,
                memberId,
                replaced);
        return new JoinGroupResponseData()
                .setMemberId(memberId)
                .setGenerationId(generation)
                .setProtocolType(PROTOCOL_TYPE)
                .setProtocolName(chosen.name())
                .setLeader("");
    }

    private static JoinGroupResponseData joinError(Errors e, JoinRequest r) {
        return new JoinGroupResponseData()
                .setErrorCode(e.code())
                .setGenerationId(-1)
                .setLeader("")
                .setMemberId(r.memberId() == null ? "" : r.memberId())
                .setProtocolName(r.version() >= 7 ? null : "");
    }

    /** SyncGroup of a classic member: its assigned partitions, in the consumer protocol's bytes. */
    SyncGroupResponseData classicSync(
            String groupId, int generation, String memberId, String protocolType, String protocolName) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            if (g.dead) return null;
            ConsumerGroupState s = store.consumerGroup(g.id);
            ConsumerGroupMemberMetadataValueData md = s == null ? null : s.members.get(memberId);
            ConsumerGroupState.Current c = s == null ? null : s.current.get(memberId);
            if (md == null || c == null) return syncError(Errors.UNKNOWN_MEMBER_ID);
            if (md.classicMemberMetadata() == null) return syncError(Errors.UNKNOWN_MEMBER_ID);
            if (generation != c.memberEpoch()) return syncError(Errors.ILLEGAL_GENERATION);
            if (protocolType != null && !protocolType.equals(PROTOCOL_TYPE))
                return syncError(Errors.INCONSISTENT_GROUP_PROTOCOL);
            touch(g, memberId);
            Map<String, List<Integer>> byName = new LinkedHashMap<>();
            c.assigned().forEach((t, ps) -> {
                TopicCatalog.TopicInfo info = topics.byId(t);
                if (info != null) byName.put(info.name(), new ArrayList<>(ps));
            });
            g.live.get(memberId).sent = c.assigned();
            return new SyncGroupResponseData()
                    .setProtocolType(PROTOCOL_TYPE)
                    .setProtocolName(protocolName)
                    .setAssignment(ClassicConsumerProtocol.encodeAssignment(byName));
        }
    }

    private static SyncGroupResponseData syncError(Errors e) {
        return new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]);
    }

    /**
     * Heartbeat of a classic member: REBALANCE_IN_PROGRESS when the server has something new for it (another
     * target, a revocation to confirm, partitions now released), so that it rejoins. Null: not a consumer group.
     */
    Errors classicHeartbeat(String groupId, String memberId, int generation) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            if (g.dead) return null;
            ConsumerGroupState s = store.consumerGroup(g.id);
            ConsumerGroupState.Current c = s == null ? null : s.current.get(memberId);
            if (c == null || s.members.get(memberId).classicMemberMetadata() == null) return Errors.UNKNOWN_MEMBER_ID;
            if (generation != c.memberEpoch()) return Errors.ILLEGAL_GENERATION;
            touch(g, memberId);
            ConsumerGroupState.Current next = reconcile(
                    s, memberId, null, c, s.target.getOrDefault(memberId, Map.of()), s.assignmentEpoch, c.assigned());
            // a group epoch past the target's: a rejoin makes the coordinator compute the next target
            boolean changed = s.epoch > s.assignmentEpoch
                    || c.state() == ConsumerGroupState.UNREVOKED_PARTITIONS
                    || next.memberEpoch() != c.memberEpoch()
                    || !next.assigned().equals(c.assigned());
            return changed ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** LeaveGroup of classic members; null when not a consumer group. */
    List<Errors> classicLeave(String groupId, List<GroupCoordinator.Leaving> leaving) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            if (g.dead) return null;
            List<Errors> out = new ArrayList<>();
            ConsumerGroupState s = store.consumerGroup(g.id);
            // which members leave (the answers of the others first), then they go together, as Kafka fences them
            Map<Integer, String> removing = new LinkedHashMap<>();
            for (GroupCoordinator.Leaving l : leaving) {
                String target = l.memberId();
                if (l.groupInstanceId() != null) {
                    String holder = s == null ? null : memberOfInstance(s, l.groupInstanceId());
                    if (holder == null) {
                        out.add(Errors.UNKNOWN_MEMBER_ID);
                        continue;
                    }
                    if (target != null && !target.isEmpty() && !target.equals(holder)) {
                        out.add(Errors.FENCED_INSTANCE_ID);
                        continue;
                    }
                    target = holder;
                }
                if (g.pendingClassic.remove(target)) {
                    out.add(Errors.NONE);
                    continue;
                }
                if (s == null || !s.members.containsKey(target)) {
                    out.add(Errors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                removing.put(out.size(), target);
                out.add(Errors.NONE);
            }
            if (removing.isEmpty()) return out;
            try {
                fence(g, s, new java.util.LinkedHashSet<>(removing.values()), "left");
            } catch (ApiException e) {
                for (int i : removing.keySet()) out.set(i, e.error());
            }
            return out;
        }
    }

    private static ConsumerGroupMemberMetadataValueData classicMetadata(
            String instanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            List<GroupProtocol> protocols,
            ClassicConsumerProtocol.Subscription sub) {
        ConsumerGroupMemberMetadataValueData.ClassicMemberMetadata cm =
                new ConsumerGroupMemberMetadataValueData.ClassicMemberMetadata().setSessionTimeoutMs(sessionTimeoutMs);
        for (GroupProtocol p : protocols)
            cm.supportedProtocols()
                    .add(new ConsumerGroupMemberMetadataValueData.ClassicProtocol()
                            .setName(p.name())
                            .setMetadata(p.metadata() == null ? new byte[0] : p.metadata()));
        return new ConsumerGroupMemberMetadataValueData()
                .setInstanceId(instanceId)
                .setClientId(clientId == null ? "" : clientId)
                .setClientHost(clientHost == null ? "" : clientHost)
                .setSubscribedTopicNames(new ArrayList<>(new TreeSet<>(sub.topics())))
                .setRebalanceTimeoutMs(rebalanceTimeoutMs)
                .setClassicMemberMetadata(cm);
    }

    // ---------------------------------------------------------------- offsets

    /**
     * Whether a member may commit: with a negative epoch and no member id only while the group is empty; else it
     * must be a member with this epoch (STALE_MEMBER_EPOCH), or for a classic member this generation
     * (ILLEGAL_GENERATION). Null when the group is not a consumer group here.
     */
    Errors commitError(String groupId, String memberId, int epochOrGeneration) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            if (g.dead) return null;
            ConsumerGroupState s = store.consumerGroup(g.id);
            if (epochOrGeneration < 0 && (s == null || s.members.isEmpty())) return Errors.NONE;
            ConsumerGroupMemberMetadataValueData md = s == null || memberId == null ? null : s.members.get(memberId);
            ConsumerGroupState.Current c = s == null || memberId == null ? null : s.current.get(memberId);
            if (md == null || c == null) return Errors.UNKNOWN_MEMBER_ID;
            if (epochOrGeneration != c.memberEpoch())
                return md.classicMemberMetadata() != null ? Errors.ILLEGAL_GENERATION : Errors.STALE_MEMBER_EPOCH;
            if (md.classicMemberMetadata() != null) touch(g, memberId);
            return Errors.NONE;
        }
    }

    /** OffsetFetch v9+ with a member: it must be one, at this epoch. Null: not a consumer group here. */
    public Errors fetchError(String groupId, String memberId, int memberEpoch) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        if (memberId == null && memberEpoch < 0) return Errors.NONE;
        synchronized (g) {
            ConsumerGroupState s = store.consumerGroup(g.id);
            ConsumerGroupState.Current c = s == null || memberId == null ? null : s.current.get(memberId);
            if (c == null) return Errors.UNKNOWN_MEMBER_ID;
            return memberEpoch == c.memberEpoch() ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
        }
    }

    // ---------------------------------------------------------------- describe, list, delete

    public record Listed(String groupId, State state) {}

    List<Listed> list() {
        List<Listed> out = new ArrayList<>();
        for (Group g : groups.values()) {
            synchronized (g) {
                if (g.dead) continue;
                ConsumerGroupState s = store.consumerGroup(g.id);
                out.add(new Listed(g.id, stateOf(s)));
            }
        }
        return out;
    }

    private static State stateOf(ConsumerGroupState s) {
        if (s == null || s.members.isEmpty()) return State.EMPTY;
        if (s.epoch > s.assignmentEpoch) return State.ASSIGNING;
        for (ConsumerGroupState.Current c : s.current.values())
            if (c.state() != ConsumerGroupState.STABLE || c.memberEpoch() != s.assignmentEpoch)
                return State.RECONCILING;
        return State.STABLE;
    }

    /** ConsumerGroupDescribe of one group: GROUP_ID_NOT_FOUND when it is no consumer group here. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId) {
        ConsumerGroupDescribeResponseData.DescribedGroup d =
                new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
        Group g = groupId == null ? null : groups.get(groupId);
        if (g == null)
            return d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                    .setErrorMessage("Group " + groupId + " not found.")
                    .setGroupState(State.DEAD.wireName());
        synchronized (g) {
            ConsumerGroupState s = store.consumerGroup(g.id);
            d.setGroupState(stateOf(s).wireName())
                    .setGroupEpoch(s == null ? 0 : s.epoch)
                    .setAssignmentEpoch(s == null ? 0 : s.assignmentEpoch)
                    .setAssignorName(s == null ? settings.assignors().get(0) : assignorOf(s.members));
            if (s == null) return d;
            s.members.forEach((id, md) -> {
                ConsumerGroupState.Current c = s.current.get(id);
                d.members()
                        .add(new ConsumerGroupDescribeResponseData.Member()
                                .setMemberId(id)
                                .setInstanceId(md.instanceId())
                                .setRackId(md.rackId())
                                .setMemberEpoch(c == null ? 0 : c.memberEpoch())
                                .setClientId(md.clientId())
                                .setClientHost(md.clientHost())
                                .setSubscribedTopicNames(new ArrayList<>(md.subscribedTopicNames()))
                                .setSubscribedTopicRegex(md.subscribedTopicRegex())
                                .setAssignment(describeAssignment(c == null ? Map.of() : c.assigned()))
                                .setTargetAssignment(describeAssignment(s.target.getOrDefault(id, Map.of())))
                                .setMemberType((byte) (md.classicMemberMetadata() != null ? 0 : 1)));
            });
            return d;
        }
    }

    private ConsumerGroupDescribeResponseData.Assignment describeAssignment(Map<Uuid, Set<Integer>> a) {
        ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        a.forEach((t, ps) -> {
            TopicCatalog.TopicInfo info = topics.byId(t);
            out.topicPartitions()
                    .add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                            .setTopicId(t)
                            .setTopicName(info == null ? "" : info.name())
                            .setPartitions(new ArrayList<>(ps)));
        });
        return out;
    }

    /** Topics the group's members subscribe to (names and what their expressions match now). */
    Set<String> subscribedTopics(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) return Set.of();
        synchronized (g) {
            ConsumerGroupState s = store.consumerGroup(g.id);
            Set<String> out = new HashSet<>();
            if (s == null) return out;
            Map<String, List<String>> resolved = resolved(s);
            for (ConsumerGroupMemberMetadataValueData md : s.members.values())
                out.addAll(subscribedNames(md, resolved));
            return out;
        }
    }

    /** Whether the group has members (null when it is not a consumer group here). */
    Boolean hasMembers(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) return null;
        synchronized (g) {
            ConsumerGroupState s = store.consumerGroup(g.id);
            return s != null && !s.members.isEmpty();
        }
    }

    /** Deletes an empty consumer group's records (its offsets are the caller's); NON_EMPTY_GROUP otherwise. */
    boolean delete(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) return false;
        synchronized (g) {
            ConsumerGroupState s = store.consumerGroup(g.id);
            if (s != null && !s.members.isEmpty())
                throw new ApiException(Errors.NON_EMPTY_GROUP, "group " + groupId + " has members");
            List<InternalTopicLog.Entry> entries = new ArrayList<>();
            if (s != null) {
                for (String m : s.target.keySet()) entries.add(ConsumerGroupRecords.targetMember(g.id, m, null));
                for (String m : s.current.keySet()) entries.add(ConsumerGroupRecords.current(g.id, m, null));
            }
            entries.add(ConsumerGroupRecords.targetMetadata(g.id, null));
            entries.add(ConsumerGroupRecords.groupTombstone(g.id));
            store.write(g.id, entries);
            g.dead = true;
            groups.remove(groupId, g);
            return true;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The topics a member subscribes to: its names, and what its expression resolved to (nothing until then). */
    private static List<String> subscribedNames(
            ConsumerGroupMemberMetadataValueData md, Map<String, List<String>> resolved) {
        List<String> out = new ArrayList<>(md.subscribedTopicNames());
        String regex = md.subscribedTopicRegex();
        if (regex != null && !regex.isEmpty()) out.addAll(resolved.getOrDefault(regex, List.of()));
        return out;
    }

    /** The group's expressions as its ConsumerGroupRegularExpression records say. */
    private static Map<String, List<String>> resolved(ConsumerGroupState s) {
        Map<String, List<String>> out = new HashMap<>();
        if (s != null) s.regexes.forEach((regex, r) -> out.put(regex, r.topics()));
        return out;
    }

    private static Set<String> regexesOf(Map<String, ConsumerGroupMemberMetadataValueData> members) {
        Set<String> out = new TreeSet<>();
        for (ConsumerGroupMemberMetadataValueData md : members.values()) {
            String regex = md.subscribedTopicRegex();
            if (regex != null && !regex.isEmpty()) out.add(regex);
        }
        return out;
    }

    /** Tombstones for results no member subscribes to any more (dropped from {@code resolved}). */
    private static void dropUnsubscribed(
            Group g,
            Map<String, List<String>> resolved,
            Map<String, ConsumerGroupMemberMetadataValueData> members,
            List<InternalTopicLog.Entry> entries) {
        Set<String> subscribed = regexesOf(members);
        for (String regex : new ArrayList<>(resolved.keySet())) {
            if (subscribed.contains(regex)) continue;
            entries.add(ConsumerGroupRecords.regex(g.id, regex, null));
            resolved.remove(regex);
        }
    }

    /**
     * Kafka's maybeUpdateRegularExpressions, resolved at once instead of on an executor: the members' expressions
     * are matched against the topics again when one has no result yet, when topics were created or deleted since,
     * or every 10 minutes; never more often than every 10 s. Results that change are written as
     * ConsumerGroupRegularExpression records with {@code entries} (the group's hash then moves, so its epoch does),
     * results nobody subscribes to any more as tombstones. Returns the results to assign with.
     */
    private Map<String, List<String>> refreshRegexes(
            Group g,
            ConsumerGroupState s,
            Map<String, ConsumerGroupMemberMetadataValueData> members,
            List<InternalTopicLog.Entry> entries) {
        Map<String, List<String>> resolved = resolved(s);
        dropUnsubscribed(g, resolved, members, entries);
        Set<String> subscribed = regexesOf(members);
        if (subscribed.isEmpty()) return resolved;
        long now = timer.nowMs();
        long version = topics.version();
        boolean due = !resolved.keySet().containsAll(subscribed)
                || g.regexVersion != version
                || now - g.regexRefreshMs >= REGEX_REFRESH_INTERVAL_MS;
        if (!due || now - g.regexRefreshMs < REGEX_MIN_REFRESH_INTERVAL_MS) return resolved;
        g.regexRefreshMs = now;
        g.regexVersion = version;
        List<TopicCatalog.TopicInfo> all = topics.all();
        for (String regex : subscribed) {
            List<String> matched = match(regex, all);
            if (matched.equals(resolved.get(regex))) continue;
            entries.add(
                    ConsumerGroupRecords.regex(g.id, regex, new ConsumerGroupState.Resolved(matched, version, now)));
            resolved.put(regex, matched);
        }
        return resolved;
    }

    /** The non-internal topics an expression matches, sorted; none for one that does not compile. */
    private static List<String> match(String regex, List<TopicCatalog.TopicInfo> all) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return List.of();
        }
        Set<String> matched = new TreeSet<>();
        for (TopicCatalog.TopicInfo t : all) if (!t.internal() && p.matches(t.name())) matched.add(t.name());
        return List.copyOf(matched);
    }

    /** A hash of the subscribed topics as they are now (ids and partition counts): it changing means reassigning. */
    private long metadataHash(
            Map<String, ConsumerGroupMemberMetadataValueData> members, Map<String, List<String>> resolved) {
        Set<String> names = new TreeSet<>();
        for (ConsumerGroupMemberMetadataValueData md : members.values()) names.addAll(subscribedNames(md, resolved));
        long h = 17;
        for (String n : names) {
            TopicCatalog.TopicInfo t = topics.byName(n);
            if (t == null) continue;
            h = h * 31 + n.hashCode();
            h = h * 31 + t.id().mostSignificantBits();
            h = h * 31 + t.id().leastSignificantBits();
            h = h * 31 + t.partitions();
        }
        return h;
    }

    private static String memberOfInstance(ConsumerGroupState s, String instanceId) {
        for (Map.Entry<String, ConsumerGroupMemberMetadataValueData> e : s.members.entrySet())
            if (instanceId.equals(e.getValue().instanceId())) return e.getKey();
        return null;
    }

    private Map<Uuid, Set<Integer>> toIds(Map<String, List<Integer>> byName) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>(ServerAssignor.UUID_ORDER);
        byName.forEach((name, ps) -> {
            TopicCatalog.TopicInfo t = topics.byName(name);
            if (t != null && !ps.isEmpty())
                out.computeIfAbsent(t.id(), x -> new TreeSet<>()).addAll(ps);
        });
        return out;
    }

    private static Map<Uuid, Set<Integer>> ownedOf(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> l) {
        Map<Uuid, Set<Integer>> out = new TreeMap<>(ServerAssignor.UUID_ORDER);
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : l)
            if (!tp.partitions().isEmpty())
                out.computeIfAbsent(tp.topicId(), x -> new TreeSet<>()).addAll(tp.partitions());
        return out;
    }

    private static boolean subset(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet())
            if (!b.getOrDefault(e.getKey(), Set.of()).containsAll(e.getValue())) return false;
        return true;
    }

    private static boolean intersects(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
            Set<Integer> other = b.get(e.getKey());
            if (other == null) continue;
            for (int p : e.getValue()) if (other.contains(p)) return true;
        }
        return false;
    }

    private static ConsumerGroupMemberMetadataValueData copy(ConsumerGroupMemberMetadataValueData m) {
        return new ConsumerGroupMemberMetadataValueData()
                .setInstanceId(m.instanceId())
                .setRackId(m.rackId())
                .setClientId(m.clientId())
                .setClientHost(m.clientHost())
                .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames()))
                .setSubscribedTopicRegex(m.subscribedTopicRegex())
                .setRebalanceTimeoutMs(m.rebalanceTimeoutMs())
                .setServerAssignor(m.serverAssignor())
                .setClassicMemberMetadata(m.classicMemberMetadata());
    }
}
