package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.TRANSACTION;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.FencedErrors;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddPartitionsToTxnRequestData;
import dev.skiff.protocol.message.AddPartitionsToTxnResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * AddPartitionsToTxn: adds partitions to a producer's transaction before it writes to them. v0-3 carry one
 * transaction (what clients send); v4+ carry several, each possibly verify_only (only asks whether the
 * partitions are in the transaction), as brokers send them to the coordinator.
 *
 * <p>Versions (Kafka's AddPartitionsToTxn schemas):
 * <ul>
 * <li>v0: one transaction: transactional_id, producer id and epoch, topics and partitions. v1: same as v0.
 * <li>v2: PRODUCER_FENCED may be answered.
 * <li>v3: flexible versions; the last version clients send.
 * <li>v4: several transactions per request and verify_only (brokers' version); the response adds a top-level
 *     error_code and one result per transaction.
 * <li>v5: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * </ul>
 *
 * <p>Authorization (as Kafka's): v0-3, WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED on
 * every partition), WRITE on each topic (TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED); v4+,
 * CLUSTER_ACTION on the cluster (else the top-level CLUSTER_AUTHORIZATION_FAILED and no results), and nothing more.
 */
public final class AddPartitionsToTxnApi implements ApiHandler<AddPartitionsToTxnRequestData> {

    private final CoordinatorLocator coordinators;

    private final TopicManager topics;
    private final TransactionCoordinator transactions;

    private final Authorizer authorizer;

    AddPartitionsToTxnApi(
            TopicManager topics,
            TransactionCoordinator transactions,
            CoordinatorLocator coordinators,
            Authorizer authorizer) {
        this.authorizer = authorizer;
        this.topics = topics;
        this.transactions = transactions;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AddPartitionsToTxnRequestData request) {
        // answered once what the coordinator wrote is replicated, as Kafka's acks=-1 coordinator writes
        return ReplicatedWrites.answerWhenReplicated(() -> handleNow(ctx, request));
    }

    private CompletableFuture<ApiMessage> handleNow(RequestContext ctx, AddPartitionsToTxnRequestData request) {
        short v = ctx.apiVersion();
        AddPartitionsToTxnResponseData r = new AddPartitionsToTxnResponseData();
        if (v <= 3) {
            r.setResultsByTopicV3AndBelow(answer(
                    ctx,
                    v,
                    request.v3AndBelowTransactionalId(),
                    request.v3AndBelowProducerId(),
                    request.v3AndBelowProducerEpoch(),
                    false,
                    request.v3AndBelowTopics()));
        } else {
            // v4+ is what brokers send their transaction coordinator: Kafka requires CLUSTER_ACTION and answers
            // the top-level error alone without it
            if (!authorizer.authorizeCluster(ctx, AclOperation.CLUSTER_ACTION))
                return CompletableFuture.completedFuture(r.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
            for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction t : request.transactions()) {
                r.resultsByTransaction()
                        .add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                                .setTransactionalId(t.transactionalId())
                                .setTopicResults(answer(
                                        ctx,
                                        v,
                                        t.transactionalId(),
                                        t.producerId(),
                                        t.producerEpoch(),
                                        t.verifyOnly(),
                                        t.topics())));
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    private List<AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult> answer(
            RequestContext ctx,
            short v,
            String transactionalId,
            long producerId,
            short epoch,
            boolean verifyOnly,
            List<AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic> topics) {
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        LinkedHashSet<TopicPartition> known = new LinkedHashSet<>();
        // only clients' versions (v0-3) check WRITE on the id and topics: v4+ came in with CLUSTER_ACTION
        boolean client = v <= 3;
        boolean idDenied = client
                && !authorizer.authorize(
                        ctx,
                        AclOperation.WRITE,
                        ResourceType.TRANSACTIONAL_ID,
                        transactionalId == null ? "" : transactionalId);
        Errors notHere = Errors.NONE;
        try {
            coordinators.ensureCoordinator(TRANSACTION, transactionalId);
        } catch (ApiException e) { // each transaction has its own coordinator: its partitions all answer this
            notHere = e.error();
        }
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t : topics) {
            Topic topic = this.topics.get(t.name());
            boolean denied =
                    client && !idDenied && !authorizer.authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name());
            for (int p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p);
                if (idDenied) result.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
                else if (denied) result.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
                else if (topic == null || topic.partition(p) == null) result.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                else known.add(tp);
            }
        }
        if (idDenied) {
            known.clear();
        } else if (notHere != Errors.NONE) { // authorized, but another broker coordinates this transaction
            result.clear();
            for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t : topics)
                for (int p : t.partitions()) result.put(new TopicPartition(t.name(), p), notHere);
            known.clear();
        } else if (!result.isEmpty()) { // nothing is added when one partition is unknown or refused
            known.forEach(tp -> result.put(tp, Errors.OPERATION_NOT_ATTEMPTED));
        } else if (verifyOnly) {
            result.putAll(transactions.verifyPartitions(transactionalId, producerId, epoch, known));
        } else {
            Errors e = Errors.NONE;
            try {
                transactions.addPartitions(transactionalId, producerId, epoch, known);
            } catch (ApiException failed) {
                e = failed.error(); // the transaction's error is each of its partitions' answer
            }
            for (TopicPartition tp : known) result.put(tp, e);
        }
        List<AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult> answer = new ArrayList<>();
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t : topics) { // in the request's order
            AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult tr =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName(t.name());
            answer.add(tr);
            for (int p : t.partitions()) {
                Errors e = result.get(new TopicPartition(t.name(), p));
                tr.resultsByPartition()
                        .add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
                                .setPartitionIndex(p)
                                .setPartitionErrorCode(
                                        FencedErrors.forVersion(e, v, 2).code()));
            }
        }
        return answer;
    }
}
