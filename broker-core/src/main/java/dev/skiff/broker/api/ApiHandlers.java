package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The handler of every API Skiff answers, indexed by API key: one hop from a key to its code. */
public final class ApiHandlers {

    private final ApiHandler<?>[] byKey = new ApiHandler<?>[128];
    private final List<ApiHandler<?>> all = new ArrayList<>();

    public static ApiHandlers standard(Broker broker) {
        ApiHandlers h = new ApiHandlers();
        h.add(new ApiVersionsApi(h));
        h.add(new MetadataApi(broker));
        h.add(new ProduceApi(broker));
        h.add(new FetchApi(broker));
        h.add(new ListOffsetsApi(broker));
        h.add(new OffsetCommitApi(broker));
        h.add(new OffsetFetchApi(broker));
        h.add(new FindCoordinatorApi(broker));
        // classic consumer groups
        h.add(new JoinGroupApi(broker));
        h.add(new SyncGroupApi(broker));
        h.add(new HeartbeatApi(broker));
        h.add(new LeaveGroupApi(broker));
        h.add(new DescribeGroupsApi(broker));
        h.add(new ListGroupsApi(broker));
        h.add(new DeleteGroupsApi(broker));
        h.add(new OffsetDeleteApi(broker));
        // admin APIs
        h.add(new CreateTopicsApi(broker));
        h.add(new DeleteTopicsApi(broker));
        h.add(new CreatePartitionsApi(broker));
        h.add(new DescribeConfigsApi(broker));
        h.add(new AlterConfigsApi(broker));
        h.add(new IncrementalAlterConfigsApi(broker));
        h.add(new DescribeClusterApi(broker));
        h.add(new DeleteRecordsApi(broker));
        h.add(new DescribeLogDirsApi(broker));
        h.add(new OffsetForLeaderEpochApi(broker));
        h.add(new InitProducerIdApi(broker));
        h.add(new DescribeProducersApi(broker));
        // transactions
        h.add(new AddPartitionsToTxnApi(broker));
        h.add(new AddOffsetsToTxnApi(broker));
        h.add(new TxnOffsetCommitApi(broker));
        h.add(new EndTxnApi(broker));
        h.add(new DescribeTransactionsApi(broker));
        h.add(new ListTransactionsApi(broker));
        return h;
    }

    public void add(ApiHandler<?> handler) {
        byKey[handler.api().id()] = handler;
        all.removeIf(x -> x.api() == handler.api());
        all.add(handler);
    }

    /** The handler for an API, or null when Skiff does not answer it. */
    public ApiHandler<?> get(ApiKeys api) {
        int id = api.id();
        return id >= 0 && id < byKey.length ? byKey[id] : null;
    }

    /** True when Skiff answers this API at this version. */
    public boolean supports(ApiKeys api, short version) {
        ApiHandler<?> h = get(api);
        return h != null && version >= h.minVersion() && version <= h.maxVersion();
    }

    public List<ApiHandler<?>> all() { return Collections.unmodifiableList(all); }
}
