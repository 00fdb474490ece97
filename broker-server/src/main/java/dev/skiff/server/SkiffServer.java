package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.Listeners;
import dev.skiff.config.SslSettings;
import dev.skiff.protocol.KafkaFrameDecoder;
import dev.skiff.server.control.Controls;
import dev.skiff.server.http.HttpServer;
import dev.skiff.server.http.HttpSettings;
import dev.skiff.server.net.Transport;
import dev.skiff.server.security.PrincipalMapper;
import dev.skiff.server.security.SaslSession;
import dev.skiff.server.security.SslContexts;
import dev.skiff.server.zookeeper.ZooKeeperBridge;
import dev.skiff.server.zookeeper.ZooKeeperSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker listening on one TCP port: Netty's event loops read frames, the broker answers them. Small
 * enough to start in milliseconds, so tests can start one per class.
 */
public final class SkiffServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SkiffServer.class);

    private final BrokerConfig config;
    private final Broker broker;
    private final EventLoops loops;
    /** The first listener's channel (the one {@link #port()} reports). */
    private final Channel channel;
    /** Every listener's channel, by listener name, in the order of {@code listeners}. */
    private final Map<String, Channel> listening = new java.util.LinkedHashMap<>();
    /** Accepted connections, closed with the server: the event loops they run on outlive it. */
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

    private final ConnectionLimiter limiter;
    private volatile boolean closed;
    /** For Kafka 0.8 high-level consumers; null (and no ZooKeeper class loaded) unless configured. */
    private volatile ZooKeeperBridge zooKeeper;
    /** Looked at before the broker (controls and faults of tests); while empty it costs one volatile read a request. */
    private final Controls controls;
    /** The console and /metrics (skiff.http.listeners); null when not asked for. */
    private volatile HttpServer http;

    private SkiffServer(BrokerConfig config, LogFactory logs, Map<String, Integer> topics) {
        this(config, logs, topics, new Controls(), SaslProvider.standard(), null, null);
    }

    private SkiffServer(BrokerConfig config, LogFactory logs, Map<String, Integer> topics, Controls controls) {
        this(config, logs, topics, controls, SaslProvider.standard(), null, null);
    }

    private SkiffServer(
            BrokerConfig config,
            LogFactory logs,
            Map<String, Integer> topics,
            Controls controls,
            SaslProvider saslProvider,
            Controller controller,
            java.util.function.Consumer<Broker> beforeListening) {
        this.config = config;
        this.controls = controls;
        this.broker = controller == null ? new Broker(config, logs) : new Broker(config, logs, controller);
        this.limiter = new ConnectionLimiter(config.maxConnectionsPerIp, broker.clientQuotas());
        this.loops = EventLoops.acquire();
        try {
            broker.createTopics(topics);
            if (beforeListening != null) beforeListening.accept(broker);
            for (Listeners.Endpoint endpoint : config.listeners.all()) {
                listening.put(endpoint.name(), listen(endpoint, saslProvider));
            }
            this.channel = listening.get(config.listeners.first().name());
        } catch (Exception e) {
            for (Channel c : listening.values()) c.close().awaitUninterruptibly();
            EventLoops.release(loops);
            broker.close();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new StartupException(e.getMessage(), e);
            }
            throw e instanceof RuntimeException re ? re : new StartupException("cannot listen: " + e.getMessage(), e);
        }
        int bound = port();
        broker.setAdvertisedAddress(config.advertisedHost, config.advertisedPort(bound));
        HttpSettings httpSettings = HttpSettings.from(config);
        if (httpSettings != null) {
            try {
                http = HttpServer.start(broker, httpSettings, loops.transport, loops.boss, loops.workers);
            } catch (RuntimeException e) {
                for (Channel c : listening.values()) c.close().awaitUninterruptibly();
                EventLoops.release(loops);
                broker.close();
                throw new StartupException(
                        "cannot start the console on " + httpSettings.host() + ":" + httpSettings.port() + ": "
                                + (e.getMessage() != null ? e.getMessage() : e.toString()),
                        e);
            }
            log.info("Skiff console at {}", http.url());
        }
        for (Listeners.Endpoint endpoint : config.listeners.all()) {
            int port = port(endpoint.name());
            Listeners.Advertised adv = config.listeners.advertised(endpoint.name());
            if (endpoint == config.listeners.first()) {
                broker.setAdvertisedAddress(endpoint.name(), config.advertisedHost, config.advertisedPort(port));
            } else {
                broker.setAdvertisedAddress(
                        endpoint.name(),
                        adv != null ? adv.host() : endpoint.host(),
                        adv != null && adv.port() > 0 ? adv.port() : port);
            }
            log.info(
                    "Skiff listening on {} {}:{} ({}, {}) with data in {}",
                    endpoint.name(),
                    endpoint.host(),
                    port,
                    endpoint.protocol(),
                    loops.transport.name().toLowerCase(java.util.Locale.ROOT),
                    config.dataDir);
        }
    }

    /** Binds one listener and sets up what each of its connections runs through. */
    private Channel listen(Listeners.Endpoint endpoint, SaslProvider saslProvider) throws IOException {
        SslContext tls = endpoint.protocol().tls()
                ? SslContexts.server(endpoint.name(), SslSettings.of(config, endpoint.name()))
                : null;
        PrincipalMapper mapper = endpoint.protocol().tls()
                ? PrincipalMapper.parse(SslSettings.of(config, endpoint.name()).principalMappingRules())
                : null;
        SaslMechanisms sasl =
                endpoint.protocol().sasl() ? saslProvider.forListener(broker, config, endpoint.name()) : null;
        List<String> saslEnabled = config.saslEnabledMechanisms(endpoint.name());
        // plain text on either transport: the log's regions go out on leased descriptors (LeasedFileRegions)
        boolean leaseRegions = tls == null && LeasedFileRegions.available();
        // Bound here, on the caller's thread: start() returns with the port listening (the kernel queues
        // connections) without waiting for an event loop to pick the channel up.
        ServerChannel listening;
        try {
            listening = loops.transport.listen(endpoint.host(), endpoint.port(), BACKLOG);
        } catch (BindException e) {
            throw new BindException("port " + endpoint.port() + " on " + endpoint.host() + " is already in use");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(loops.boss, loops.workers)
                .channelFactory(() -> listening)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SEND_BACKLOG)
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, WIRE_BYTES)
                .childOption(
                        ChannelOption.SO_SNDBUF, config.socketSendBufferBytes > 0 ? config.socketSendBufferBytes : null)
                .childOption(
                        ChannelOption.SO_RCVBUF,
                        config.socketReceiveBufferBytes > 0 ? config.socketReceiveBufferBytes : null)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // added before looking at closed, so close() either sees it or it sees closed
                        connections.add(ch);
                        ch.closeFuture().addListener(f -> connections.remove(ch));
                        if (closed) {
                            ch.close();
                            return;
                        }
                        ch.attr(ConnectionIdentity.KEY)
                                .set(new ConnectionIdentity(endpoint.name(), endpoint.protocol()));
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("limit", limiter);
                        if (tls != null) {
                            p.addLast("tls", tls.newHandler(ch.alloc()))
                                    .addLast("tls-copy", CopyFileRegions.INSTANCE)
                                    .addLast(
                                            "tls-principal",
                                            new TlsPrincipal(
                                                    mapper, !endpoint.protocol().sasl()));
                        }
                        KafkaFrameDecoder frames = new KafkaFrameDecoder(config.socketRequestMaxBytes);
                        p.addLast(
                                        "timeouts",
                                        new ConnectionTimeouts(
                                                config.connectionsMaxIdleMs, config.requestReadTimeoutMs))
                                .addLast("frames", frames);
                        if (sasl != null) {
                            p.addLast(
                                    "sasl",
                                    new SaslAuthenticator(
                                            new SaslSession(
                                                    sasl,
                                                    saslEnabled,
                                                    config.connectionsMaxReauthMs,
                                                    System::currentTimeMillis),
                                            frames,
                                            config.socketRequestMaxBytes));
                        }
                        p.addLast(
                                "requests",
                                new RequestDispatcher(
                                        broker, config.maxInFlightRequestsPerConnection, controls, leaseRegions));
                    }
                });
        return b.register()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        log.error("Skiff cannot accept connections on {}", listening.localAddress(), f.cause());
                        Transport.close(listening);
                    }
                })
                .channel();
    }

    /** The connections open now (for tests of what the server does to them). */
    Set<Channel> connections() {
        return Set.copyOf(connections);
    }

    /** Starts a broker with its logs in {@code config.dataDir}. */
    public static SkiffServer start(BrokerConfig config, Map<String, Integer> topics) {
        return new SkiffServer(config, LogFactory.files(config.dataDir, config.logOpenFilesMax), topics)
                .startZooKeeperBridge(config.dataDir.resolve("zookeeper"));
    }

    /** Starts a broker whose logs {@code logs} opens (tests use this to inject storage failures). */
    public static SkiffServer start(BrokerConfig config, LogFactory logs, Map<String, Integer> topics) {
        return new SkiffServer(config, logs, topics);
    }

    /** As {@link #start(BrokerConfig, Map)} or {@link #startInMemory}, asking {@code controls} about each request. */
    static SkiffServer start(BrokerConfig config, Map<String, Integer> topics, boolean inMemory, Controls controls) {
        return start(config, topics, inMemory, controls, SaslProvider.standard());
    }

    /** As above, with SASL listeners taking their mechanisms from {@code sasl}. */
    static SkiffServer start(
            BrokerConfig config, Map<String, Integer> topics, boolean inMemory, Controls controls, SaslProvider sasl) {
        return inMemory
                ? new SkiffServer(config, LogFactory.memory(), topics, controls, sasl, null, null)
                        .startZooKeeperBridge(null)
                : new SkiffServer(
                                config,
                                LogFactory.files(config.dataDir, config.logOpenFilesMax),
                                topics,
                                controls,
                                sasl,
                                null,
                                null)
                        .startZooKeeperBridge(config.dataDir.resolve("zookeeper"));
    }

    /**
     * One broker of a {@link SkiffCluster}: no ZooKeeper bridge, topics come from the controller.
     * {@code beforeListening} readies the broker for the cluster before its first client can connect.
     */
    static SkiffServer startMember(
            BrokerConfig config,
            boolean inMemory,
            Controls controls,
            Controller controller,
            java.util.function.Consumer<Broker> beforeListening) {
        LogFactory logs = inMemory ? LogFactory.memory() : LogFactory.files(config.dataDir, config.logOpenFilesMax);
        return new SkiffServer(config, logs, Map.of(), controls, SaslProvider.standard(), controller, beforeListening);
    }

    /** Starts a broker whose logs live in memory only. */
    public static SkiffServer startInMemory(BrokerConfig config, Map<String, Integer> topics) {
        return new SkiffServer(config, LogFactory.memory(), topics).startZooKeeperBridge(null);
    }

    private static final int BACKLOG = 1024;

    /**
     * Answer bytes a connection may have queued for a client that is not reading before the dispatcher stops
     * reading its requests (above the high mark) and until it starts again (below the low one). Kafka sends one
     * answer per connection at a time; this lets a pipelining client keep a few small answers in flight while
     * bounding what a client that never reads can make the broker hold.
     */
    static final WriteBufferWaterMark SEND_BACKLOG = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    /**
     * Sizes queued answers by the bytes they put on the wire. Netty counts a file region as 0 bytes, which
     * would let a client queue any number of fetch answers; a region holds no memory itself, but counting it in
     * full keeps a client that takes no answers from sending more requests that make more.
     */
    static final MessageSizeEstimator WIRE_BYTES = new MessageSizeEstimator() {
        private final Handle handle = msg -> {
            if (msg instanceof ByteBuf b) return b.readableBytes();
            if (msg instanceof ByteBufHolder h) return h.content().readableBytes();
            if (msg instanceof FileRegion r) return (int) Math.min(Integer.MAX_VALUE, r.count() - r.transferred());
            return 8;
        };

        @Override
        public Handle newHandle() {
            return handle;
        }
    };

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The bound port of a listener by name ({@code listeners}' NAME), or -1 when there is no such listener. */
    public int port(String listener) {
        Channel c = listening.get(listener);
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    /** The listener names, in the order of {@code listeners}. */
    public List<String> listenerNames() {
        return List.copyOf(listening.keySet());
    }

    public String host() {
        return config.host;
    }

    public Broker broker() {
        return broker;
    }

    /** The request controls of this server, asked in order before the broker handles a request. */
    public Controls controls() {
        return controls;
    }

    /** The console's address ({@code http://127.0.0.1:PORT/}), or null when skiff.http.listeners is not set. */
    public String consoleUrl() {
        HttpServer h = http;
        return h == null ? null : h.url();
    }

    /** The ZooKeeper connect string of the bridge for Kafka 0.8 consumers, or null when it is off. */
    public String zookeeperConnect() {
        ZooKeeperBridge zk = zooKeeper;
        return zk == null ? null : zk.connectString();
    }

    /** Starts the ZooKeeper bridge if configured, once the port is bound (it registers the bound port). */
    private SkiffServer startZooKeeperBridge(java.nio.file.Path zooKeeperDataDir) {
        try {
            ZooKeeperSettings settings = ZooKeeperSettings.from(config);
            if (settings != null) zooKeeper = ZooKeeperBridge.start(broker, settings, zooKeeperDataDir);
            return this;
        } catch (java.io.IOException | RuntimeException e) {
            close();
            if (e instanceof dev.skiff.config.ConfigException ce) throw ce;
            throw new StartupException("cannot start the ZooKeeper bridge: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (zooKeeper != null) zooKeeper.close(); // unregister before the broker stops answering
        if (http != null) http.close();
        int port = port();
        for (Channel c : listening.values()) c.close().syncUninterruptibly();
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        for (Channel c : connections) closing.add(c.close());
        for (io.netty.channel.ChannelFuture f : closing) f.awaitUninterruptibly();
        EventLoops.release(loops);
        broker.close();
        log.info("Skiff on port {} stopped", port);
    }

    /**
     * Stops as a crash would: every connection is reset (SO_LINGER 0), so requests in flight get no answer and
     * clients see the connection drop; then the broker closes.
     */
    public synchronized void kill() {
        if (closed) return;
        closed = true;
        if (zooKeeper != null) zooKeeper.close();
        if (http != null) http.close();
        int port = port();
        channel.close().syncUninterruptibly();
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        for (Channel c : connections) {
            try {
                c.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // already closed
            }
            closing.add(c.close());
        }
        for (io.netty.channel.ChannelFuture f : closing) f.awaitUninterruptibly();
        EventLoops.release(loops);
        broker.close();
        log.info("Skiff on port {} killed", port);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The first start in a JVM spends much of its time loading classes; the protocol's table of APIs (a
     * parser per request and response, ~190 of them) needs none of what the rest loads, so a helper thread
     * builds it on another core while the caller sets up logging, Netty and the broker. A class of its own so
     * calling it does not first initialise SkiffServer (and with it logging).
     */
    static final class ColdStart {
        private static final java.util.concurrent.atomic.AtomicBoolean started =
                new java.util.concurrent.atomic.AtomicBoolean();

        static void loadInBackground() {
            if (!started.compareAndSet(false, true)) return;
            // Netty 4.2 reports its buffer allocations as Flight Recorder events when the JVM has a recorder;
            // the first allocation then sets up JFR's event machinery (~100 ms in front of the first answer)
            // for events nobody records unless profiling Netty's allocator. Off unless the JVM says otherwise;
            // read once, when Netty first initialises, so an application that already runs Netty keeps its own.
            if (System.getProperty("io.netty.jfr.enabled") == null) {
                System.setProperty("io.netty.jfr.enabled", "false");
            }
            Thread t = new Thread(dev.skiff.protocol.ApiKeys::values, "skiff-preload");
            t.setDaemon(true);
            t.start();
            EventLoops.prepareInBackground();
        }

        private ColdStart() {}
    }

    /**
     * The accept and I/O event loops, shared by the servers of this JVM so that a broker started after
     * another (the next test class, a restart) finds running threads instead of starting its own; each
     * server keeps its own channel, connections and broker. Counted by users; the loops stop
     * {@code skiff.eventloops.linger.ms} (default 2000) after the last server closes unless one starts
     * meanwhile. Daemon threads, so they never keep a JVM alive.
     */
    static final class EventLoops {
        private static final long LINGER_MS = Long.getLong("skiff.eventloops.linger.ms", 2000);
        private static EventLoops shared;
        private static int users;
        private static long generation; // a stop timer of an earlier idle spell is stale
        /** Loops being made by {@link #prepareInBackground()}, taken by the next acquire (guarded by the class). */
        private static CompletableFuture<EventLoops> prepared;

        final Transport transport = Transport.chosen();
        final EventLoopGroup boss = transport.loops(1, daemon("skiff-accept"));
        final EventLoopGroup workers = transport.loops(0, daemon("skiff-io"));

        /**
         * Makes the loops on a thread of their own while the broker is made: Netty's first loop group loads and
         * initialises a few hundred classes (~40 ms), none of which the broker needs. No loop thread starts
         * until the first channel is registered, so loops never acquired cost nothing.
         */
        static synchronized void prepareInBackground() {
            if (shared != null || prepared != null) return;
            CompletableFuture<EventLoops> made = new CompletableFuture<>();
            prepared = made;
            Thread t = new Thread(
                    () -> {
                        try {
                            made.complete(new EventLoops());
                        } catch (Throwable e) {
                            made.completeExceptionally(e);
                        }
                    },
                    "skiff-prepare-loops");
            t.setDaemon(true);
            t.start();
        }

        static synchronized EventLoops acquire() {
            if (shared == null && prepared != null) {
                try {
                    shared = prepared.join();
                } catch (CompletionException e) {
                    // made again below, on this thread, so that the failure is this start's
                } finally {
                    prepared = null;
                }
            }
            if (shared == null) shared = new EventLoops();
            users++;
            generation++;
            return shared;
        }

        static synchronized void release(EventLoops loops) {
            if (loops != shared || --users > 0) return;
            long idleSince = ++generation;
            if (LINGER_MS <= 0) stopIfIdle(loops, idleSince);
            else loops.boss.schedule(() -> stopIfIdle(loops, idleSince), LINGER_MS, TimeUnit.MILLISECONDS);
        }

        private static synchronized void stopIfIdle(EventLoops loops, long idleSince) {
            if (shared != loops || users > 0 || generation != idleSince) return;
            shared = null;
            loops.boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            loops.workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A start that failed for a reason the user can fix (port in use, unusable data dir). */
    public static final class StartupException extends RuntimeException {
        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
