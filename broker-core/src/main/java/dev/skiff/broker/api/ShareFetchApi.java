package dev.skiff.broker.api;

import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.fetch.DelayedFetch;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.share.SharePartition;
import dev.skiff.broker.share.SharePartitionKey;
import dev.skiff.broker.share.SharePartitionManager;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ShareFetchRequestData;
import dev.skiff.protocol.message.ShareFetchResponseData;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * ShareFetch (KIP-932): a share consumer's fetch within its share session; it acknowledges what earlier fetches
 * delivered, then acquires records of the session's share partitions, waiting up to max_wait_ms when none are
 * available. The answer lists each partition's batches and which of their offsets the member acquired (at which
 * delivery count); records outside those ranges are not the member's.
 *
 * <p>Versions (Kafka's ShareFetch schemas): v1 only, Kafka 4.1's (adds max_records, batch_size and the
 * acquisition lock timeout; v0 was 4.0's early access). Session epoch 0 opens a session (acknowledgements then
 * are INVALID_REQUEST), -1 closes it after its acknowledgements (no fetch), others continue it.
 *
 * <p>In a cluster a partition this broker does not lead is answered NOT_LEADER_OR_FOLLOWER with its leader and
 * epoch in current_leader and the leader's address in node_endpoints (KIP-951), as Kafka answers it.
 *
 * <p>Authorization (as Kafka's): READ on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
public final class ShareFetchApi implements ApiHandler<ShareFetchRequestData> {

    /** The share consumer's max.poll.records default, when a request names no maximum. */
    private static final int DEFAULT_MAX_RECORDS = 500;

    private final SharePartitionManager shares;
    private final ScheduledExecutorService timer;
    private final ShareAccess access;
    private final Partitions partitions;

    ShareFetchApi(
            SharePartitionManager shares,
            ScheduledExecutorService timer,
            Authorizer authorizer,
            Partitions partitions) {
        this.shares = shares;
        this.timer = timer;
        this.access = new ShareAccess(shares, authorizer);
        this.partitions = partitions;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ShareFetchRequestData request) {
        String group = request.groupId();
        String member = request.memberId();
        access.checkGroup(ctx, group, member);
        int epoch = request.shareSessionEpoch();
        boolean acknowledges = request.topics().stream()
                .flatMap(t -> t.partitions().stream())
                .anyMatch(p -> !p.acknowledgementBatches().isEmpty());
        if (epoch == 0 && acknowledges)
            throw new ApiException(Errors.INVALID_REQUEST, "Acknowledgements need an open share session.");

        Map<SharePartitionKey, ShareFetchResponseData.PartitionData> answers = new LinkedHashMap<>();
        List<SharePartitionKey> added = new ArrayList<>();
        for (ShareFetchRequestData.FetchTopic t : request.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                SharePartitionKey key = new SharePartitionKey(group, t.topicId(), p.partitionIndex());
                ShareFetchResponseData.PartitionData answer = answer(key);
                answers.put(key, answer);
                Errors denied = access.topicDenied(ctx, key);
                if (denied != null) answer.setErrorCode(denied.code()).setAcknowledgeErrorCode(denied.code());
                else added.add(key);
            }
        }
        List<SharePartitionKey> forgotten = new ArrayList<>();
        for (ShareFetchRequestData.ForgottenTopic t : request.forgottenTopicsData())
            for (int p : t.partitions()) forgotten.add(new SharePartitionKey(group, t.topicId(), p));
        List<SharePartitionKey> session = shares.updateSession(group, member, epoch, added, forgotten);

        for (ShareFetchRequestData.FetchTopic t : request.topics()) {
            for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
                if (p.acknowledgementBatches().isEmpty()) continue;
                SharePartitionKey key = new SharePartitionKey(group, t.topicId(), p.partitionIndex());
                if (answers.get(key).errorCode() != 0) continue;
                List<SharePartition.AckBatch> batches = new ArrayList<>();
                for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches())
                    batches.add(SharePartition.AckBatch.of(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                answers.get(key)
                        .setAcknowledgeErrorCode(
                                shares.acknowledge(member, key, batches).code());
            }
        }
        if (epoch == -1) {
            shares.closeSession(group, member);
            return CompletableFuture.completedFuture(response(answers));
        }

        int maxRecords = request.maxRecords() > 0 ? request.maxRecords() : DEFAULT_MAX_RECORDS;
        int maxBytes = request.maxBytes() > 0 ? request.maxBytes() : Integer.MAX_VALUE;
        boolean acquired = fetch(member, session, answers, maxRecords, maxBytes);
        if (acquired || request.maxWaitMs() <= 0 || session.isEmpty())
            return CompletableFuture.completedFuture(response(answers));
        List<Partition> logs = new ArrayList<>();
        for (SharePartitionKey k : session) {
            try {
                logs.add(shares.log(k.topicId(), k.partition()));
            } catch (ApiException e) {
                // answered by the fetch below
            }
        }
        return DelayedFetch.await(
                        timer, ctx.connection(), logs, request.maxWaitMs(), () -> shares.anyAvailable(session))
                .thenApply(done -> {
                    fetch(member, session, answers, maxRecords, maxBytes);
                    return response(answers);
                });
    }

    /** Acquires from each share partition of the session in turn; whether anything was acquired. */
    private boolean fetch(
            String member,
            List<SharePartitionKey> session,
            Map<SharePartitionKey, ShareFetchResponseData.PartitionData> answers,
            int maxRecords,
            int maxBytes) {
        int records = 0;
        long bytes = 0;
        for (SharePartitionKey key : session) {
            ShareFetchResponseData.PartitionData answer = answers.get(key);
            if (answer != null && answer.errorCode() != 0) continue;
            if (records >= maxRecords || bytes >= maxBytes) break;
            try {
                SharePartition.Fetched f = shares.acquire(
                        member, key, maxRecords - records, (int) Math.min(Integer.MAX_VALUE, maxBytes - bytes));
                if (f.acquired().isEmpty()) continue;
                if (answer == null) answers.put(key, answer = answer(key));
                answer.setRecords(f.records());
                for (SharePartition.Acquired a : f.acquired()) {
                    answer.acquiredRecords()
                            .add(new ShareFetchResponseData.AcquiredRecords()
                                    .setFirstOffset(a.firstOffset())
                                    .setLastOffset(a.lastOffset())
                                    .setDeliveryCount(a.deliveryCount()));
                    records += (int) (a.lastOffset() - a.firstOffset() + 1);
                }
                bytes += f.records().sizeInBytes();
            } catch (ApiException e) {
                if (answer == null) answers.put(key, answer = answer(key));
                answer.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
        }
        return records > 0;
    }

    private ShareFetchResponseData.PartitionData answer(SharePartitionKey key) {
        return new ShareFetchResponseData.PartitionData()
                .setPartitionIndex(key.partition())
                .setRecords(BufferRecords.EMPTY);
    }

    /**
     * The answer, by topic; a partition answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its leader
     * and epoch, and node_endpoints their addresses (KIP-951, as Kafka's share fetch).
     */
    private ShareFetchResponseData response(Map<SharePartitionKey, ShareFetchResponseData.PartitionData> answers) {
        ShareFetchResponseData r = new ShareFetchResponseData()
                .setAcquisitionLockTimeoutMs(shares.config().recordLockDurationMs());
        Map<Uuid, ShareFetchResponseData.ShareFetchableTopicResponse> byTopic = new LinkedHashMap<>();
        LeaderHints hints = new LeaderHints(partitions, true);
        answers.forEach((key, data) -> {
            byTopic.computeIfAbsent(key.topicId(), id -> {
                        var t = new ShareFetchResponseData.ShareFetchableTopicResponse().setTopicId(id);
                        r.responses().add(t);
                        return t;
                    })
                    .partitions()
                    .add(data);
            LeaderHint h = hints.forAnswer(data.errorCode(), key.topicId(), key.partition());
            if (h != null) data.currentLeader().setLeaderId(h.leaderId()).setLeaderEpoch(h.leaderEpoch());
        });
        for (LeaderHint h : hints.endpoints())
            r.nodeEndpoints()
                    .add(new ShareFetchResponseData.NodeEndpoint()
                            .setNodeId(h.leaderId())
                            .setHost(h.host())
                            .setPort(h.port())
                            .setRack(h.rack()));
        return r;
    }
}
