package dev.skiff.broker;

import dev.skiff.broker.admin.LogCleanerService;
import dev.skiff.broker.api.ApiHandler;
import dev.skiff.broker.api.ApiHandlers;
import dev.skiff.broker.api.InitProducerIdApi;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.GroupTimer;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.broker.txn.TransactionalInitProducerId;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private final LogCleanerService cleaner;
    private final boolean persistent;
    private volatile OffsetBackend version0Offsets;
    private volatile String advertisedHost;
    private volatile int advertisedPort;

    public Broker(BrokerConfig config, LogFactory logs) {
        this.config = config;
        this.persistent = logs.persistent();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "skiff-scheduler");
            t.setDaemon(true);
            return t;
        });
        // fetch timeouts cancelled by an early answer leave the queue at once, not after max_wait_ms
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.topics = new TopicManager(config, logs);
        this.offsets = new OffsetStore(topics, config);
        this.groupCoordinator = new GroupCoordinator(offsets, config, GroupTimer.of(scheduler));
        this.handlers = ApiHandlers.standard(this);
        // transactions: one producer id space with idempotent producers; state replayed (and interrupted
        // commits/aborts completed) before the first request
        InitProducerIdApi init = (InitProducerIdApi) handlers.get(ApiKeys.INIT_PRODUCER_ID);
        this.transactions = new TransactionCoordinator(topics, offsets, config, init.producerIds(), System::currentTimeMillis);
        init.setTransactional(new TransactionalInitProducerId(transactions));
        transactions.schedule(scheduler, config);
        this.advertisedHost = config.advertisedHost;
        this.advertisedPort = config.advertisedPort(config.port);
        long every = Math.max(1000, config.retentionCheckIntervalMs);
        scheduler.scheduleWithFixedDelay(this::applyRetention, every, every, TimeUnit.MILLISECONDS);
        this.cleaner = new LogCleanerService(topics, System::currentTimeMillis);
        cleaner.schedule(scheduler, config);
        if (config.flushIntervalMs != Long.MAX_VALUE && config.flushIntervalMs > 0) {
            scheduler.scheduleWithFixedDelay(topics::flushAll, config.flushIntervalMs, config.flushIntervalMs,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Creates the topics named at start ({@code name -> partitions}), keeping existing ones. */
    public void createTopics(Map<String, Integer> wanted) {
        wanted.forEach((name, n) -> {
            if (topics.get(name) == null) topics.create(name, n, Map.of());
        });
    }

    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ApiMessage request) {
        @SuppressWarnings("unchecked")
        ApiHandler<ApiMessage> h = (ApiHandler<ApiMessage>) handlers.get(ctx.api());
        return h.handle(ctx, request);
    }

    public ApiHandlers handlers() { return handlers; }

    public BrokerConfig config() { return config; }

    public TopicManager topics() { return topics; }

    public OffsetStore offsets() { return offsets; }

    public GroupCoordinator groupCoordinator() { return groupCoordinator; }

    public TransactionCoordinator transactions() { return transactions; }

    public ScheduledExecutorService scheduler() { return scheduler; }

    /** Compaction of cleanup.policy=compact topics; {@code runOnce()} lets tests clean without waiting. */
    public LogCleanerService cleaner() { return cleaner; }

    /** Where OffsetCommit/OffsetFetch v0 keep offsets: the ZooKeeper bridge when on, else the broker's store. */
    public OffsetBackend version0Offsets() {
        OffsetBackend b = version0Offsets;
        return b != null ? b : offsets;
    }

    public void setVersion0Offsets(OffsetBackend backend) { this.version0Offsets = backend; }

    public int nodeId() { return config.nodeId; }

    /** True when the broker keeps its data in files under {@code config().dataDir}, false in memory only. */
    public boolean persistent() { return persistent; }

    public String advertisedHost() { return advertisedHost; }

    public int advertisedPort() { return advertisedPort; }

    /** Called by the server once it knows its bound port (port 0 picks one). */
    public void setAdvertisedAddress(String host, int port) {
        this.advertisedHost = host;
        this.advertisedPort = port;
    }

    private void applyRetention() {
        try {
            int removed = topics.applyRetention(System.currentTimeMillis());
            if (removed > 0) log.info("Retention removed {} segment(s)", removed);
        } catch (RuntimeException e) {
            log.warn("Retention pass failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        topics.close();
    }
}
