package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.admin.FinalizedFeatures;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.fetch.FetchSessionCache;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.broker.quota.ClientQuotaAdmin;
import dev.skiff.broker.replica.ReplicaManager;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.sasl.ScramUserAdmin;
import dev.skiff.broker.share.ShareGroups;
import dev.skiff.broker.telemetry.ClientTelemetry;
import dev.skiff.broker.telemetry.TelemetryConfig;
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
    private ClientTelemetry clientTelemetry;

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
            ScramUserAdmin scramUsers,
            Authorizer authorizer,
            Controller controller,
            ReplicaManager replicas,
            CoordinatorLocator coordinators,
            ShareGroups shares,
            GroupConfigs groupConfigs,
            ClientQuotaAdmin quotas,
            FinalizedFeatures features) {}

    public static ApiHandlers standard(Services s) {
        ApiHandlers h = new ApiHandlers();
        h.apiVersions.useFeatures(s.features());
        h.add(h.apiVersions);
        h.add(new MetadataApi(s.config(), s.address(), s.topics(), s.controller(), s.authorizer()));
        h.add(new ProduceApi(s.partitions(), s.timer(), s.authorizer()));
        h.add(new FetchApi(s.partitions(), s.timer(), s.replicas(), s.authorizer(), FetchSessionCache.of(s.config())));
        h.add(new ListOffsetsApi(s.partitions(), s.authorizer()));
        h.add(new OffsetCommitApi(
                s.topics(), s.offsets(), s.version0Offsets(), s.groups(), s.coordinators(), s.authorizer()));
        h.add(new OffsetFetchApi(
                s.topics(),
                s.offsets(),
                s.version0Offsets(),
                s.transactions(),
                s.coordinators(),
                s.authorizer(),
                s.groups().consumerGroups()));
        h.add(new FindCoordinatorApi(s.coordinators(), s.authorizer()));
        // classic consumer groups
        h.add(new JoinGroupApi(s.groups(), s.coordinators(), s.authorizer()));
        h.add(new SyncGroupApi(s.groups(), s.coordinators(), s.authorizer()));
        h.add(new HeartbeatApi(s.groups(), s.coordinators(), s.authorizer()));
        h.add(new LeaveGroupApi(s.groups(), s.coordinators(), s.authorizer()));
        h.add(new DescribeGroupsApi(s.groups(), s.coordinators(), s.authorizer()));
        h.add(new ListGroupsApi(s.groups(), s.authorizer())
                .withShareGroups(s.shares() == null ? null : s.shares().coordinator()));
        h.add(new DeleteGroupsApi(s.groups(), s.coordinators(), s.authorizer()).withShareGroups(s.shares()));
        h.add(new OffsetDeleteApi(s.topics(), s.groups(), s.coordinators(), s.authorizer()));
        // KIP-848 consumer groups
        if (s.groups().consumerGroups() != null) {
            h.add(new ConsumerGroupHeartbeatApi(s.groups().consumerGroups(), s.coordinators(), s.authorizer()));
            h.add(new ConsumerGroupDescribeApi(s.groups().consumerGroups(), s.coordinators(), s.authorizer()));
        }
        // admin APIs
        h.add(new CreateTopicsApi(s.config(), s.topics(), s.controller(), s.authorizer()));
        h.add(new DeleteTopicsApi(s.topics(), s.controller(), s.authorizer()));
        h.add(new CreatePartitionsApi(s.config(), s.topics(), s.controller(), s.authorizer()));
        h.add(new DescribeConfigsApi(s.config(), s.topics(), s.authorizer(), s.groupConfigs()));
        h.add(new AlterConfigsApi(s.config(), s.topics(), s.controller(), s.authorizer(), s.groupConfigs()));
        h.add(new IncrementalAlterConfigsApi(s.config(), s.topics(), s.controller(), s.authorizer(), s.groupConfigs()));
        h.add(new DescribeClusterApi(s.config(), s.address(), s.controller(), s.authorizer()));
        h.add(new DeleteRecordsApi(s.partitions(), s.timer(), s.authorizer()));
        h.add(new DescribeLogDirsApi(s.config(), s.topics(), s.authorizer()));
        h.add(new AlterReplicaLogDirsApi(s.config(), s.topics(), s.authorizer()));
        h.add(new OffsetForLeaderEpochApi(s.topics(), s.authorizer()));
        h.add(new InitProducerIdApi(
                s.producerIds(), new TransactionalInitProducerId(s.transactions()), s.coordinators(), s.authorizer()));
        h.add(new DescribeProducersApi(s.topics(), s.authorizer()));
        // transactions
        h.add(new AddPartitionsToTxnApi(s.topics(), s.transactions(), s.coordinators(), s.authorizer()));
        h.add(new AddOffsetsToTxnApi(s.transactions(), s.coordinators(), s.authorizer()));
        h.add(new TxnOffsetCommitApi(
                s.topics(), s.offsets(), s.groups(), s.transactions(), s.coordinators(), s.authorizer()));
        h.add(new EndTxnApi(s.transactions(), s.coordinators(), s.authorizer()));
        h.add(new DescribeTransactionsApi(s.transactions(), s.coordinators(), s.authorizer()));
        h.add(new ListTransactionsApi(s.transactions(), s.authorizer()));
        // Admin.abortTransaction (kafka-transactions abort): markers for a hanging transaction
        h.add(new WriteTxnMarkersApi(s.partitions(), s.timer(), s.authorizer()));
        // preferred and unclean leader elections (a single broker: none needed)
        h.add(new ElectLeadersApi(s.controller(), s.topics(), s.authorizer()));
        // ACLs
        h.add(new CreateAclsApi(s.authorizer()));
        h.add(new DescribeAclsApi(s.authorizer()));
        h.add(new DeleteAclsApi(s.authorizer()));
        // SCRAM users (kafka-configs --entity-type users also asks for client quotas)
        h.add(new DescribeUserScramCredentialsApi(s.scramUsers(), s.authorizer()));
        h.add(new AlterUserScramCredentialsApi(s.scramUsers(), s.authorizer()));
        // client quotas (kafka-configs --entity-type clients/users/ips)
        h.add(new DescribeClientQuotasApi(s.quotas(), s.authorizer()));
        h.add(new AlterClientQuotasApi(s.quotas(), s.authorizer()));
        // KIP-966: Admin.describeTopics of kafka-clients 4.x
        h.add(new DescribeTopicPartitionsApi(s.config(), s.topics(), s.controller(), s.authorizer()));
        // share groups (KIP-932)
        if (s.shares() != null) {
            h.add(new ShareGroupHeartbeatApi(s.shares().coordinator(), s.coordinators(), s.authorizer()));
            h.add(new ShareGroupDescribeApi(s.shares().coordinator(), s.topics(), s.coordinators(), s.authorizer()));
            h.add(new ShareFetchApi(s.shares().partitions(), s.timer(), s.authorizer(), s.partitions()));
            h.add(new ShareAcknowledgeApi(s.shares().partitions(), s.authorizer(), s.partitions()));
            h.add(new DescribeShareGroupOffsetsApi(s.shares(), s.topics(), s.coordinators(), s.authorizer()));
            h.add(new AlterShareGroupOffsetsApi(s.shares(), s.topics(), s.coordinators(), s.authorizer()));
            h.add(new DeleteShareGroupOffsetsApi(s.shares(), s.topics(), s.coordinators(), s.authorizer()));
        }

        // KIP-714 client metrics: listed only when skiff.telemetry.metrics asks for some (Kafka: with a receiver)
        h.clientTelemetry = new ClientTelemetry(TelemetryConfig.of(s.config()), System::currentTimeMillis);
        if (h.clientTelemetry.config().enabled()) {
            h.add(new GetTelemetrySubscriptionsApi(h.clientTelemetry));
            h.add(new PushTelemetryApi(h.clientTelemetry));
        }
        // kafka-reassign-partitions: nothing ever moves; a target equal to the current replicas is accepted
        h.add(new ListPartitionReassignmentsApi(s.authorizer()));
        h.add(new AlterPartitionReassignmentsApi(s.config().nodeId, s.topics(), s.controller(), s.authorizer()));
        // kafka-features upgrade/downgrade/disable: the finalized levels ApiVersions advertises (a single broker's;
        // a cluster would need them in the controller's metadata log)
        if (s.controller() == null) h.add(new UpdateFeaturesApi(s.features(), s.authorizer()));
        // kafka-cluster unregister
        h.add(new UnregisterBrokerApi(s.config().nodeId, s.controller(), s.authorizer()));
        // kafka-metadata-quorum describe: a quorum of one voter
        h.add(new DescribeQuorumApi(s.config().nodeId, s.address(), s.controller(), s.authorizer()));
        // kafka-client-metrics --list and Admin.listConfigResources
        h.add(new ListConfigResourcesApi(s.config(), s.topics(), s.controller(), s.authorizer(), s.groupConfigs()));
        // delegation tokens: refused as by Kafka without delegation.token.secret.key
        DelegationTokenGate tokens = new DelegationTokenGate(s.config());
        h.add(new CreateDelegationTokenApi(tokens));
        h.add(new RenewDelegationTokenApi(tokens));
        h.add(new ExpireDelegationTokenApi(tokens));
        h.add(new DescribeDelegationTokenApi(tokens));
        // SASL: answered by the connection's authenticator on SASL listeners; these refuse the rest
        h.add(new SaslHandshakeApi());
        h.add(new SaslAuthenticateApi());
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

    /** What clients pushed (KIP-714); empty unless skiff.telemetry.metrics asks for metrics. */
    public ClientTelemetry clientTelemetry() {
        return clientTelemetry;
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
