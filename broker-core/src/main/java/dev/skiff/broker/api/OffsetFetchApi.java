package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * OffsetFetch: a group's committed offsets; -1 for partitions without one. v0-7 ask for one group, v8+ for
 * several; a null topic list (v2+) means every partition the group has committed.
 *
 * <p>Versions (Kafka's OffsetFetch schemas):
 * <ul>
 * <li>v0: group id and partitions; Kafka 0.8 read these from ZooKeeper.
 * <li>v1: offsets from __consumer_offsets.
 * <li>v2: null topics means all; the response adds a top-level error_code.
 * <li>v3: the response adds throttle_time_ms. v4: same as v3.
 * <li>v5: the response adds committed_leader_epoch.
 * <li>v6: flexible versions.
 * <li>v7: adds require_stable (UNSTABLE_OFFSET_COMMIT while a transaction holds an offset).
 * <li>v8: several groups per request.
 * <li>v9: adds member_id and member_epoch (KIP-848).
 * <li>v10 (not served): topic ids instead of names.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED for it), DESCRIBE on each
 * topic: named ones answer TOPIC_AUTHORIZATION_FAILED, and asking for all leaves the others out.
 */
public final class OffsetFetchApi implements ApiHandler<OffsetFetchRequestData> {

    private final CoordinatorLocator coordinators;

    private final TopicManager topics;
    private final OffsetStore offsets;
    private final Supplier<OffsetBackend> version0Offsets;
    private final TransactionCoordinator transactions;
    private final Authorizer authorizer;
    /** v9+: a KIP-848 member's id and epoch are checked against its consumer group. */
    private final dev.skiff.broker.group.ConsumerGroupCoordinator consumerGroups;

    OffsetFetchApi(
            TopicManager topics,
            OffsetStore offsets,
            Supplier<OffsetBackend> version0Offsets,
            TransactionCoordinator transactions,
            CoordinatorLocator coordinators,
            Authorizer authorizer) {
        this(topics, offsets, version0Offsets, transactions, coordinators, authorizer, null);
    }

    OffsetFetchApi(
            TopicManager topics,
            OffsetStore offsets,
            Supplier<OffsetBackend> version0Offsets,
            TransactionCoordinator transactions,
            CoordinatorLocator coordinators,
            Authorizer authorizer,
            dev.skiff.broker.group.ConsumerGroupCoordinator consumerGroups) {
        this.consumerGroups = consumerGroups;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
        this.topics = topics;
        this.offsets = offsets;
        this.version0Offsets = version0Offsets;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    /** Partitions asked for, grouped by topic (null: all committed). */
    private Map<String, List<Integer>> wanted(String group, Map<String, List<Integer>> asked) {
        if (asked != null) return asked;
        Map<String, List<Integer>> all = new LinkedHashMap<>();
        offsets.fetchAll(group)
                .keySet()
                .forEach(tp ->
                        all.computeIfAbsent(tp.topic(), x -> new ArrayList<>()).add(tp.partition()));
        return all;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, OffsetFetchRequestData request) {
        OffsetFetchResponseData r = new OffsetFetchResponseData();
        if (ctx.apiVersion() < 8) {
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, request.groupId())) {
                // v2+ has a top-level error, and then Kafka lists no partitions at all; v0-1 only has
                // the partitions' errors, which the error answer fills in
                if (ctx.apiVersion() >= 2)
                    return CompletableFuture.completedFuture(r.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
            }
            if (ctx.apiVersion() > 0) coordinators.ensureCoordinator(GROUP, request.groupId());
            Map<String, List<Integer>> asked = null;
            if (request.topics() != null) {
                asked = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics())
                    asked.put(t.name(), t.partitionIndexes());
            }
            boolean listed = asked == null;
            wanted(request.groupId(), asked).forEach((topic, parts) -> {
                boolean denied = !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
                if (denied && listed) return; // all offsets asked for: unauthorized topics are left out
                OffsetFetchResponseData.OffsetFetchResponseTopic tr =
                        new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic);
                r.topics().add(tr);
                OffsetBackend store = ctx.apiVersion() == 0 ? version0Offsets.get() : offsets;
                for (int p : parts) {
                    Answer a = denied
                            ? Answer.DENIED
                            : answer(store, request.requireStable(), request.groupId(), topic, p);
                    tr.partitions()
                            .add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                                    .setPartitionIndex(p)
                                    .setErrorCode(a.error())
                                    .setCommittedOffset(a.offset())
                                    .setCommittedLeaderEpoch(a.leaderEpoch())
                                    .setMetadata(a.metadata()));
                }
            });
            return CompletableFuture.completedFuture(r);
        }
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
            Map<String, List<Integer>> asked = null;
            if (g.topics() != null) {
                asked = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                    String name = t.name();
                    if (ctx.apiVersion() >= 10) {
                        Topic topic = topics.get(t.topicId());
                        name = topic == null ? null : topic.name();
                    }
                    if (name != null) asked.put(name, t.partitionIndexes());
                }
            }
            OffsetFetchResponseData.OffsetFetchResponseGroup gr =
                    new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId());
            r.groups().add(gr);
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                gr.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
                continue;
            }
            boolean listed = asked == null;
            try {
                coordinators.ensureCoordinator(GROUP, g.groupId());
            } catch (ApiException e) { // each group has its own coordinator, so its own answer
                gr.setErrorCode(e.error().code());
                continue;
            }
            if (ctx.apiVersion() >= 9 && consumerGroups != null) {
                Errors member = consumerGroups.fetchError(g.groupId(), g.memberId(), g.memberEpoch());
                if (member != null && member != Errors.NONE) {
                    gr.setErrorCode(member.code());
                    continue;
                }
            }
            wanted(g.groupId(), asked).forEach((topic, parts) -> {
                boolean denied = !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
                if (denied && listed) return;
                Topic known = topics.get(topic);
                OffsetFetchResponseData.OffsetFetchResponseTopics tr =
                        new OffsetFetchResponseData.OffsetFetchResponseTopics()
                                .setName(topic)
                                .setTopicId(known == null ? dev.skiff.protocol.types.Uuid.ZERO : known.id());
                gr.topics().add(tr);
                for (int p : parts) {
                    Answer a = denied ? Answer.DENIED : answer(offsets, request.requireStable(), g.groupId(), topic, p);
                    tr.partitions()
                            .add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                                    .setPartitionIndex(p)
                                    .setErrorCode(a.error())
                                    .setCommittedOffset(a.offset())
                                    .setCommittedLeaderEpoch(a.leaderEpoch())
                                    .setMetadata(a.metadata()));
                }
            });
        }
        return CompletableFuture.completedFuture(r);
    }

    /**
     * With require_stable (v7+), a partition whose offset an open transaction is still committing is answered
     * UNSTABLE_OFFSET_COMMIT, so the consumer retries instead of starting from an offset about to change.
     */
    private boolean unstable(boolean requireStable, String group, String topic, int partition) {
        return requireStable
                && coordinators.hasPendingOffsets(group, new TopicPartition(topic, partition), transactions);
    }

    /** One partition's answer, the same in the single-group (v0-7) and multi-group (v8+) layouts. */
    private record Answer(short error, long offset, int leaderEpoch, String metadata) {
        static final Answer NONE = new Answer((short) 0, -1, -1, "");
        static final Answer DENIED = new Answer(Errors.TOPIC_AUTHORIZATION_FAILED.code(), -1, -1, "");
        static final Answer UNSTABLE = new Answer(Errors.UNSTABLE_OFFSET_COMMIT.code(), -1, -1, "");
    }

    private Answer answer(OffsetBackend store, boolean requireStable, String group, String topic, int partition) {
        if (unstable(requireStable, group, topic, partition)) return Answer.UNSTABLE;
        CommittedOffset o = store.fetch(group, new TopicPartition(topic, partition));
        if (o == null) return Answer.NONE;
        return new Answer((short) 0, o.offset(), o.leaderEpoch(), o.metadata() == null ? "" : o.metadata());
    }
}
