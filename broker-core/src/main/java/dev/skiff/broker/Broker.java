package dev.skiff.broker;

import dev.skiff.broker.admin.FinalizedFeatures;
import dev.skiff.broker.admin.LogCleanerService;
import dev.skiff.broker.api.ApiHandler;
import dev.skiff.broker.api.ApiHandlers;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.coordinator.Coordinators;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.GroupTimer;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.groupconfig.GroupConfigs;
import dev.skiff.broker.metrics.BrokerGauges;
import dev.skiff.broker.metrics.BrokerMetrics;
import dev.skiff.broker.metrics.JmxMetrics;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.broker.producer.SwitchableProducerIds;
import dev.skiff.broker.quota.ClientQuotaAdmin;
import dev.skiff.broker.quota.ClientQuotaConfig;
import dev.skiff.broker.quota.ClientQuotaStore;
import dev.skiff.broker.quota.ClientQuotas;
import dev.skiff.broker.replica.HighWatermarkCheckpoint;
import dev.skiff.broker.replica.ReplicaConfig;
import dev.skiff.broker.replica.ReplicaManager;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.broker.security.TestPrincipals;
import dev.skiff.broker.security.acl.AclAuthorizer;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.sasl.BrokerSaslMechanisms;
import dev.skiff.broker.security.sasl.ScramCredentialStore;
import dev.skiff.broker.security.sasl.ScramUserAdmin;
import dev.skiff.broker.share.ShareGroups;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker without its network: topics, offsets and the handler of every API. The server feeds it decoded
 * requests; tests may call it directly.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final TopicManager topics;
    private final OffsetStore offsets;
    private final GroupCoordinator groupCoordinator;
    private final ScheduledExecutorService scheduler;
    private final ApiHandlers handlers;
    private final TransactionCoordinator transactions;
    private final Partitions partitions;
    private final AdvertisedAddress address;
    private final LogCleanerService cleaner;
    private final boolean persistent;
    private volatile OffsetBackend version0Offsets;
    private final ScramCredentialStore scramCredentials;
    private final ScramUserAdmin scramUsers;
    private final ClientQuotaAdmin quotaAdmin;
    private final ClientQuotas clientQuotas;
    private final Map<String, SaslMechanisms> saslMechanisms = new ConcurrentHashMap<>();
    private final Authorizer authorizer;
    private final String testPrincipalPrefix;
    private final Controller controller;
    private final ReplicaManager replicaManager;
    private final Coordinators coordinators;
    private final ShareGroups shareGroups;
    private final GroupConfigs groupConfigs;
    private final BrokerMetrics metrics;
    private final BrokerGauges gauges;
    /** Null unless this is the JVM's first broker and skiff.metrics.jmx.enable is not false. */
    private final JmxMetrics jmx;

    public Broker(BrokerConfig config, LogFactory logs) {
        this(config, logs, null);
    }

    /**
     * A broker of a cluster: topic changes go through {@code controller}, and the broker follows the images it
     * publishes (its logs, who leads what) once {@code replicaManager().joinCluster} ran. A null controller is a
     * single broker.
     */
    public Broker(BrokerConfig config, LogFactory logs, Controller controller) {
        this.config = config;
        this.controller = controller;
        this.persistent = logs.persistent();
        this.metrics = new BrokerMetrics(!"false".equalsIgnoreCase(config.get(METRICS_ENABLE_KEY)));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skiff-scheduler");
            t.setDaemon(true);
            return t;
        });
        // fetch timeouts cancelled by an early answer leave the queue at once, not after max_wait_ms
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.topics = new TopicManager(config, logs);
        if (controller != null) topics.becomeClusterMember(); // before the coordinators replay anything
        this.offsets = new OffsetStore(topics, config);
        // one producer id space for idempotent and transactional producers; transaction state is replayed (and
        // interrupted commits/aborts completed) before the first request
        SwitchableProducerIds producerIds =
                new SwitchableProducerIds(ProducerIds.forBroker(persistent, config.dataDir));
        this.transactions = new TransactionCoordinator(topics, offsets, config, producerIds, System::currentTimeMillis);
        this.groupCoordinator =
                new GroupCoordinator(offsets, config, GroupTimer.of(scheduler), transactions::hasPendingOffsets);
        // GROUP config resources: on disk (or in the controller's metadata in a cluster), read by the coordinators
        this.groupConfigs = GroupConfigs.forBroker(config, controller, persistent, config.dataDir);
        if (groupCoordinator.consumerGroups() != null)
            groupCoordinator.consumerGroups().useGroupConfigs(groupConfigs);
        transactions.schedule(scheduler, config);
        // a transactional batch is verified by its coordinator, which in a cluster may run on another broker
        this.partitions = new Partitions(topics, this::verifyTransactional, config, System::currentTimeMillis, metrics);
        this.scramCredentials =
                ScramCredentialStore.forBroker(persistent, config.dataDir, BrokerSaslMechanisms.maxScramUsers(config));
        this.scramUsers = new ScramUserAdmin(scramCredentials);
        // client quotas: stored like SCRAM users, enforced on produce and fetch by the server
        ClientQuotaStore quotaStore =
                ClientQuotaStore.forBroker(persistent, config.dataDir, ClientQuotaConfig.maxEntities(config));
        this.quotaAdmin = new ClientQuotaAdmin(quotaStore);
        this.clientQuotas = ClientQuotaConfig.enforcer(config);
        quotaStore.subscribe(clientQuotas::update);
        this.address = new AdvertisedAddress(config.advertisedHost, config.advertisedPort(config.port));
        this.authorizer = AclAuthorizer.fromConfig(config, persistent);
        this.testPrincipalPrefix = TestPrincipals.prefix(config);
        this.replicaManager = new ReplicaManager(
                config.nodeId,
                topics,
                ReplicaConfig.of(config),
                System::currentTimeMillis,
                persistent
                        ? new HighWatermarkCheckpoint(config.dataDir.resolve(HighWatermarkCheckpoint.FILE_NAME))
                        : null);
        this.coordinators = new Coordinators(
                config, address, topics, offsets, groupCoordinator, transactions, producerIds, persistent);
        // share groups: their share-partition state is replayed from __share_group_state before the first request
        this.shareGroups = new ShareGroups(
                config,
                topics,
                partitions,
                id -> groupCoordinator.list().stream().anyMatch(g -> g.groupId().equals(id)),
                System::currentTimeMillis,
                groupConfigs);
        shareGroups.schedule(scheduler, System::currentTimeMillis);
        this.handlers = ApiHandlers.standard(new ApiHandlers.Services(
                config,
                address,
                topics,
                partitions,
                offsets,
                this::version0Offsets,
                groupCoordinator,
                transactions,
                producerIds,
                scheduler,
                scramUsers,
                authorizer,
                controller,
                replicaManager,
                coordinators,
                shareGroups,
                groupConfigs,
                quotaAdmin,
                FinalizedFeatures.forBroker(persistent, config.dataDir, config)));
        // transactions V2: a Produce v12 batch adds its partition to the transaction, at its coordinator
        partitions.setTransactionAdder(this::addToTransaction);
        long expiryCheck = Math.max(1, config.producerIdExpirationCheckIntervalMs);
        scheduler.scheduleWithFixedDelay(this::expireProducers, expiryCheck, expiryCheck, TimeUnit.MILLISECONDS);
        long every = Math.max(1000, config.retentionCheckIntervalMs);
        scheduler.scheduleWithFixedDelay(this::applyRetention, every, every, TimeUnit.MILLISECONDS);
        this.cleaner = new LogCleanerService(topics, System::currentTimeMillis, LogCleanerService.mapBytes(config));
        cleaner.schedule(scheduler, config);
        // in a cluster only a partition's leader serves clients; the cluster joins the replica manager to the
        // controller once this broker's endpoint is registered
        // (until the first image arrives, a cluster member leads nothing)
        if (controller != null)
            partitions.setLeaderCheck(new LeaderCheck() {
                @Override
                public dev.skiff.protocol.Errors check(String topic, int partition) {
                    return replicaManager.image() == null
                            ? dev.skiff.protocol.Errors.NOT_LEADER_OR_FOLLOWER
                            : replicaManager.check(topic, partition);
                }

                @Override
                public LeaderHint hint(String topic, int partition) {
                    return replicaManager.hint(topic, partition);
                }
            });
        this.gauges = new BrokerGauges(topics, offsets, groupCoordinator, () -> replicaManager);
        this.jmx = !"false".equalsIgnoreCase(config.get(JMX_ENABLE_KEY))
                ? JmxMetrics.registerIfFirst(metrics, gauges)
                : null;
        // a second after the start, off the starting thread: making the platform MBean server loads and starts
        // every platform MXBean (tens of ms of CPU), which on a small machine would compete with the first
        // clients' requests; dashboards poll, so they see the MBeans a moment later
        if (jmx != null) scheduler.schedule(jmx::register, 1, TimeUnit.SECONDS);
        topics.addListener(new TopicManager.Listener() {
            @Override
            public void topicCreated(Topic topic) {}

            @Override
            public void topicDeleted(Topic topic) {
                metrics.removeTopic(topic.name());
            }
        });
        scheduler.scheduleWithFixedDelay(
                () -> clientQuotas.expire(System.currentTimeMillis()), 30, 30, TimeUnit.SECONDS);
        int tick = BrokerMetrics.tickSeconds();
        scheduler.scheduleWithFixedDelay(this::tickMetrics, tick, tick, TimeUnit.SECONDS);
        new LogFlusher(topics, System::currentTimeMillis, config.flushSchedulerIntervalMs).schedule(scheduler);
    }

    /**
     * Adds a partition to a producer's transaction for a Produce v12 batch. The coordinator's errors become what
     * the producer retries or is fenced by, as Kafka's leaders map them: while the coordinator is moving or the
     * previous transaction still completes, NOT_ENOUGH_REPLICAS (retriable); a fenced producer, INVALID_PRODUCER_EPOCH.
     */
    private void addToTransaction(String transactionalId, long producerId, short epoch, TopicPartition tp) {
        try {
            coordinators
                    .transactionsOf(transactionalId, transactions)
                    .addPartitions(transactionalId, producerId, epoch, java.util.Set.of(tp));
        } catch (dev.skiff.protocol.ApiException e) {
            throw switch (e.error()) {
                case NOT_COORDINATOR,
                        COORDINATOR_NOT_AVAILABLE,
                        COORDINATOR_LOAD_IN_PROGRESS,
                        CONCURRENT_TRANSACTIONS ->
                    new dev.skiff.protocol.ApiException(
                            dev.skiff.protocol.Errors.NOT_ENOUGH_REPLICAS,
                            "The transaction coordinator could not add " + tp + " yet (" + e.error() + "); retry");
                case PRODUCER_FENCED ->
                    new dev.skiff.protocol.ApiException(
                            dev.skiff.protocol.Errors.INVALID_PRODUCER_EPOCH, e.getMessage());
                default -> e;
            };
        }
    }

    private dev.skiff.protocol.Errors verifyTransactional(long producerId, short producerEpoch, TopicPartition tp) {
        return coordinators.verifyProduce(producerId, producerEpoch, tp);
    }

    /** Creates the topics named at start ({@code name -> partitions}), keeping existing ones. */
    public void createTopics(Map<String, Integer> wanted) {
        wanted.forEach((name, n) -> {
            if (topics.get(name) == null) topics.create(name, n, Map.of());
        });
    }

    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ApiMessage request) {
        if (testPrincipalPrefix != null) ctx = TestPrincipals.apply(ctx, testPrincipalPrefix);
        @SuppressWarnings("unchecked")
        ApiHandler<ApiMessage> h = (ApiHandler<ApiMessage>) handlers.get(ctx.api());
        return h.handle(ctx, request);
    }

    public ApiHandlers handlers() {
        return handlers;
    }

    public BrokerConfig config() {
        return config;
    }

    public TopicManager topics() {
        return topics;
    }

    public OffsetStore offsets() {
        return offsets;
    }

    public GroupCoordinator groupCoordinator() {
        return groupCoordinator;
    }

    public TransactionCoordinator transactions() {
        return transactions;
    }

    /** The data path of every partition: append, read, offset lookup. */
    public Partitions partitions() {
        return partitions;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Compaction of cleanup.policy=compact topics; {@code runOnce()} lets tests clean without waiting. */
    public LogCleanerService cleaner() {
        return cleaner;
    }

    /** Where OffsetCommit/OffsetFetch v0 keep offsets: the ZooKeeper bridge when on, else the broker's store. */
    public OffsetBackend version0Offsets() {
        OffsetBackend b = version0Offsets;
        return b != null ? b : offsets;
    }

    public void setVersion0Offsets(OffsetBackend backend) {
        this.version0Offsets = backend;
    }

    public int nodeId() {
        return config.nodeId;
    }

    /** True when the broker keeps its data in files under {@code config().dataDir}, false in memory only. */
    public boolean persistent() {
        return persistent;
    }

    public String advertisedHost() {
        return address.host();
    }

    public int advertisedPort() {
        return address.port();
    }

    /** Called by the server once it knows its bound port (port 0 picks one). */
    public void setAdvertisedAddress(String host, int port) {
        address.set(host, port);
    }

    /** Called by the server for each listener once it knows its bound port: what Metadata tells its clients. */
    public void setAdvertisedAddress(String listener, String host, int port) {
        address.set(listener, host, port);
    }

    /**
     * The group and transaction coordinators as they follow the internal topics' leadership: a cluster
     * registers this as a LeadershipListener and calls {@code joinCluster} before the broker serves requests.
     */
    public Coordinators coordinators() {
        return coordinators;
    }

    /** skiff.metrics.enable=false stops counting messages, bytes and requests (to measure what it costs). */
    public static final String METRICS_ENABLE_KEY = "skiff.metrics.enable";

    /** Whether the JVM's first broker registers its metrics as JMX MBeans (default true). */
    public static final String JMX_ENABLE_KEY = "skiff.metrics.jmx.enable";

    /** The counted figures: messages and bytes in and out per topic, requests per API, open connections. */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The figures read from the broker's state: partitions and their logs, groups and their lag. */
    public BrokerGauges gauges() {
        return gauges;
    }

    private void tickMetrics() {
        try {
            metrics.tick();
            if (jmx != null) jmx.sync();
        } catch (RuntimeException e) {
            log.debug("Metrics tick failed: {}", e.toString());
        }
    }

    /** producer.id.expiration.ms: idle producers lose their sequence state, as in Kafka. */
    private void expireProducers() {
        try {
            int removed = partitions.expireProducers();
            if (removed > 0) log.debug("Expired {} idle producer id(s)", removed);
        } catch (RuntimeException e) {
            log.warn("Producer id expiration failed: {}", e.toString());
        }
    }

    private void applyRetention() {
        try {
            int removed = topics.applyRetention(System.currentTimeMillis());
            if (removed > 0) log.info("Retention removed {} segment(s)", removed);
        } catch (RuntimeException e) {
            log.warn("Retention pass failed: {}", e.toString());
        }
    }

    /** The SASL mechanisms of a listener (its name as in {@code listeners}), built once per listener. */
    public SaslMechanisms saslMechanisms(String listener) {
        return saslMechanisms.computeIfAbsent(
                listener.toUpperCase(java.util.Locale.ROOT),
                l -> BrokerSaslMechanisms.forListener(config, l, scramCredentials));
    }

    /** The SCRAM users created at runtime (AlterUserScramCredentials). */
    /** The client quotas enforced on produce and fetch (the server records each answer's bytes). */
    public ClientQuotas clientQuotas() {
        return clientQuotas;
    }

    /** The stored client quotas (AlterClientQuotas, DescribeClientQuotas). */
    public ClientQuotaAdmin clientQuotaAdmin() {
        return quotaAdmin;
    }

    public ScramCredentialStore scramCredentials() {
        return scramCredentials;
    }

    /** Who may do what: the ACLs when authorizer.class.name is set, else allow-all. */
    public Authorizer authorizer() {
        return authorizer;
    }

    /** The cluster's controller, or null for a single broker. */
    public Controller controller() {
        return controller;
    }

    /**
     * The replica side of this broker: idle for a single broker; {@code joinCluster} makes it follow a
     * controller's images (leaders, followers, ISR, high watermark).
     */
    public ReplicaManager replicaManager() {
        return replicaManager;
    }

    @Override
    public void close() {
        if (controller != null) controller.unsubscribe(config.nodeId);
        replicaManager.close();
        scheduler.shutdownNow();
        if (jmx != null) jmx.close();
        coordinators.close();
        topics.close();
        if (authorizer instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the authorizer: {}", e.toString());
            }
        }
    }
}
