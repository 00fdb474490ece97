package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.broker.txn.TransactionalInitProducerId;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** The handler of every API Skiff answers, indexed by API key: one hop from a key to its code. */
public final class ApiHandlers {

    private final ApiHandler<?>[] byKey = new ApiHandler<?>[128];
    private final List<ApiHandler<?>> all = new ArrayList<>();
    private final ApiVersionsApi apiVersions = new ApiVersionsApi(this);

    /** What the handlers work with; each handler takes only the collaborators it needs. */
    public record Services(
            BrokerConfig config,
            AdvertisedAddress address,
            TopicManager topics,
            Partitions partitions,
            OffsetStore offsets,
            Supplier<OffsetBackend> version0Offsets,
            GroupCoordinator groups,
            TransactionCoordinator transactions,
            ProducerIds producerIds,
            ScheduledExecutorService timer,
            CoordinatorLocator coordinators) {}

    public static ApiHandlers standard(Services s) {
        ApiHandlers h = new ApiHandlers();
        h.add(h.apiVersions);
        h.add(new MetadataApi(s.config(), s.address(), s.topics()));
        h.add(new ProduceApi(s.partitions()));
        h.add(new FetchApi(s.partitions(), s.timer()));
        h.add(new ListOffsetsApi(s.partitions()));
        h.add(new OffsetCommitApi(s.topics(), s.offsets(), s.version0Offsets(), s.groups(), s.coordinators()));
        h.add(new OffsetFetchApi(s.topics(), s.offsets(), s.version0Offsets(), s.transactions(), s.coordinators()));
        h.add(new FindCoordinatorApi(s.coordinators()));
        // classic consumer groups
        h.add(new JoinGroupApi(s.groups(), s.coordinators()));
        h.add(new SyncGroupApi(s.groups(), s.coordinators()));
        h.add(new HeartbeatApi(s.groups(), s.coordinators()));
        h.add(new LeaveGroupApi(s.groups(), s.coordinators()));
        h.add(new DescribeGroupsApi(s.groups(), s.coordinators()));
        h.add(new ListGroupsApi(s.groups()));
        h.add(new DeleteGroupsApi(s.groups(), s.coordinators()));
        h.add(new OffsetDeleteApi(s.topics(), s.groups(), s.coordinators()));
        // admin APIs
        h.add(new CreateTopicsApi(s.config(), s.topics()));
        h.add(new DeleteTopicsApi(s.topics()));
        h.add(new CreatePartitionsApi(s.config(), s.topics()));
        h.add(new DescribeConfigsApi(s.config(), s.topics()));
        h.add(new AlterConfigsApi(s.config(), s.topics()));
        h.add(new IncrementalAlterConfigsApi(s.config(), s.topics()));
        h.add(new DescribeClusterApi(s.config(), s.address()));
        h.add(new DeleteRecordsApi(s.partitions()));
        h.add(new DescribeLogDirsApi(s.config(), s.topics()));
        h.add(new OffsetForLeaderEpochApi(s.topics()));
        h.add(new InitProducerIdApi(
                s.producerIds(), new TransactionalInitProducerId(s.transactions()), s.coordinators()));
        h.add(new DescribeProducersApi(s.topics()));
        // transactions
        h.add(new AddPartitionsToTxnApi(s.topics(), s.transactions(), s.coordinators()));
        h.add(new AddOffsetsToTxnApi(s.transactions(), s.coordinators()));
        h.add(new TxnOffsetCommitApi(s.topics(), s.offsets(), s.groups(), s.transactions(), s.coordinators()));
        h.add(new EndTxnApi(s.transactions(), s.coordinators()));
        h.add(new DescribeTransactionsApi(s.transactions(), s.coordinators()));
        h.add(new ListTransactionsApi(s.transactions()));
        return h;
    }

    public void add(ApiHandler<?> handler) {
        byKey[handler.api().id()] = handler;
        all.removeIf(x -> x.api() == handler.api());
        all.add(handler);
    }

    /**
     * ApiVersions, typed: the server answers a request of an unknown version with its
     * {@link ApiVersionsApi#unsupportedVersionResponse()}, without looking the handler up and casting it.
     */
    public ApiVersionsApi apiVersions() {
        return apiVersions;
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

    public List<ApiHandler<?>> all() {
        return Collections.unmodifiableList(all);
    }
}
