package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.TRANSACTION;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.broker.txn.TransactionMetadata;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeTransactionsRequestData;
import dev.skiff.protocol.message.DescribeTransactionsResponseData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTransactions: state, producer, timeout, start time and partitions of each transactional id asked.
 *
 * <p>Versions (Kafka's DescribeTransactions schemas):
 * <ul>
 * <li>v0 (the only version): per transactional id its state, producer id and epoch, timeout, start time and
 *     partitions (KIP-664).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * for it.
 */
public final class DescribeTransactionsApi implements ApiHandler<DescribeTransactionsRequestData> {

    private final CoordinatorLocator coordinators;

    private final TransactionCoordinator transactions;

    private final Authorizer authorizer;

    DescribeTransactionsApi(
            TransactionCoordinator transactions, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.transactions = transactions;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeTransactionsRequestData request) {
        DescribeTransactionsResponseData r = new DescribeTransactionsResponseData();
        for (String id : request.transactionalIds()) {
            DescribeTransactionsResponseData.TransactionState s =
                    new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id);
            r.transactionStates().add(s);
            if (id != null && !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
                s.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                        .setTransactionState("")
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1)
                        .setTransactionStartTimeMs(-1);
                continue;
            }
            if (id != null) {
                try {
                    coordinators.ensureCoordinator(TRANSACTION, id);
                } catch (ApiException e) { // each id has its own coordinator, so its own answer
                    s.setErrorCode(e.error().code())
                            .setTransactionState("")
                            .setProducerId(-1)
                            .setProducerEpoch((short) -1)
                            .setTransactionStartTimeMs(-1);
                    continue;
                }
            }
            TransactionMetadata m = id == null ? null : transactions.describe(id);
            if (m == null) {
                s.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code())
                        .setTransactionState("")
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1)
                        .setTransactionStartTimeMs(-1);
                continue;
            }
            s.setTransactionState(m.state().kafkaName)
                    .setTransactionTimeoutMs(m.timeoutMs())
                    .setTransactionStartTimeMs(m.startTimeMs())
                    .setProducerId(m.producerId())
                    .setProducerEpoch(m.producerEpoch());
            Map<String, DescribeTransactionsResponseData.TopicData> byTopic = new LinkedHashMap<>();
            for (TopicPartition tp : m.partitions()) {
                // as Kafka: only the partitions of topics the principal may describe
                if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topic())) continue;
                byTopic.computeIfAbsent(tp.topic(), t -> {
                            DescribeTransactionsResponseData.TopicData d =
                                    new DescribeTransactionsResponseData.TopicData().setTopic(t);
                            s.topics().add(d);
                            return d;
                        })
                        .partitions()
                        .add(tp.partition());
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
