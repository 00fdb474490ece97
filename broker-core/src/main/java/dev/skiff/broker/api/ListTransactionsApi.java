package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.broker.txn.TransactionMetadata;
import dev.skiff.broker.txn.TransactionState;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ListTransactionsRequestData;
import dev.skiff.protocol.message.ListTransactionsResponseData;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * ListTransactions: every transactional id, filtered by state names, producer ids, (v1+) running longer than
 * a duration and (v2+) a regular expression on the id. Unknown state names are echoed back, as Kafka does.
 *
 * <p>Versions (Kafka's ListTransactions schemas):
 * <ul>
 * <li>v0: state and producer id filters; answers transactional ids with producer id and state.
 * <li>v1: adds duration_filter (transactions open longer than that).
 * <li>v2: adds transactional_id_pattern (KIP-1152).
 * </ul>
 *
 * <p>Authorization (as Kafka's): only transactional ids the principal may DESCRIBE are listed.
 */
public final class ListTransactionsApi implements ApiHandler<ListTransactionsRequestData> {

    private final TransactionCoordinator transactions;

    private final Authorizer authorizer;

    ListTransactionsApi(TransactionCoordinator transactions, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListTransactionsRequestData request) {
        short v = ctx.apiVersion();
        ListTransactionsResponseData r = new ListTransactionsResponseData();
        Set<TransactionState> states = new HashSet<>();
        for (String name : request.stateFilters()) {
            TransactionState s = TransactionState.forName(name);
            if (s == null) r.unknownStateFilters().add(name);
            else states.add(s);
        }
        Pattern pattern = null;
        String regex = v >= 2 ? request.transactionalIdPattern() : null;
        if (regex != null && !regex.isEmpty()) {
            try {
                pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(r.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        Set<Long> producers = new HashSet<>(request.producerIdFilters());
        long duration = v >= 1 ? request.durationFilter() : -1;
        long now = System.currentTimeMillis();
        for (TransactionMetadata m : transactions.all()) {
            if (!states.isEmpty() && !states.contains(m.state())) continue;
            if (!request.stateFilters().isEmpty() && states.isEmpty()) continue; // only unknown states asked
            if (!producers.isEmpty() && !producers.contains(m.producerId())) continue;
            if (duration >= 0 && (m.startTimeMs() < 0 || now - m.startTimeMs() < duration)) continue;
            if (pattern != null && !pattern.matcher(m.transactionalId()).matches()) continue;
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, m.transactionalId()))
                continue;
            r.transactionStates()
                    .add(new ListTransactionsResponseData.TransactionState()
                            .setTransactionalId(m.transactionalId())
                            .setProducerId(m.producerId())
                            .setTransactionState(m.state().kafkaName));
        }
        return CompletableFuture.completedFuture(r);
    }
}
