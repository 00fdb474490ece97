package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.KafkaFrameDecoder;
import dev.skiff.server.faults.Interceptors;
import dev.skiff.server.zookeeper.ZooKeeperBridge;
import dev.skiff.server.zookeeper.ZooKeeperSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
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
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final ConnectionLimiter limiter;
    private volatile boolean closed;
    /** For Kafka 0.8 high-level consumers; null (and no ZooKeeper class loaded) unless configured. */
    private volatile ZooKeeperBridge zooKeeper;
    /** Looked at before the broker (fault injection in tests); while empty it costs one volatile read a request. */
    private final Interceptors interceptors = new Interceptors();

    private SkiffServer(BrokerConfig config, LogFactory logs, Map<String, Integer> topics) {
        this.config = config;
        this.broker = new Broker(config, logs);
        this.limiter = new ConnectionLimiter(config.maxConnectionsPerIp);
        this.boss = new NioEventLoopGroup(1, daemon("skiff-accept"));
        this.workers = new NioEventLoopGroup(0, daemon("skiff-io"));
        try {
            broker.createTopics(topics);
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast("limit", limiter)
                                    .addLast("timeouts", new ConnectionTimeouts(config.connectionsMaxIdleMs,
                                            config.requestReadTimeoutMs))
                                    .addLast("frames", new KafkaFrameDecoder(config.socketRequestMaxBytes))
                                    .addLast("requests", new RequestDispatcher(broker, config.maxInFlightRequestsPerConnection, interceptors));
                        }
                    });
            this.channel = b.bind(config.host, config.port).syncUninterruptibly().channel();
        } catch (Exception e) { // bind() rethrows the checked BindException unchecked
            shutdownQuietly();
            broker.close();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new StartupException("port " + config.port + " on " + config.host + " is already in use", e);
            }
            throw e instanceof RuntimeException re ? re : new StartupException("cannot listen: " + e.getMessage(), e);
        }
        int bound = port();
        broker.setAdvertisedAddress(config.advertisedHost, config.advertisedPort(bound));
        log.info("Skiff listening on {}:{} with data in {}", config.host, bound, config.dataDir);
    }

    /** Starts a broker with its logs in {@code config.dataDir}. */
    public static SkiffServer start(BrokerConfig config, Map<String, Integer> topics) {
        return new SkiffServer(config, LogFactory.files(config.dataDir), topics)
                .startZooKeeperBridge(config.dataDir.resolve("zookeeper"));
    }

    /** Starts a broker whose logs {@code logs} opens (tests use this to inject storage failures). */
    public static SkiffServer start(BrokerConfig config, LogFactory logs, Map<String, Integer> topics) {
        return new SkiffServer(config, logs, topics);
    }

    /** Starts a broker whose logs live in memory only. */
    public static SkiffServer startInMemory(BrokerConfig config, Map<String, Integer> topics) {
        return new SkiffServer(config, LogFactory.memory(), topics).startZooKeeperBridge(null);
    }

    public int port() { return ((InetSocketAddress) channel.localAddress()).getPort(); }

    public String host() { return config.host; }

    public Broker broker() { return broker; }

    /** The request interceptors of this server, consulted in order before the broker handles a request. */
    public Interceptors interceptors() { return interceptors; }

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
        channel.close().syncUninterruptibly();
        shutdownQuietly();
        broker.close();
        log.info("Skiff on port {} stopped", ((InetSocketAddress) channel.localAddress()).getPort());
    }

    private void shutdownQuietly() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A start that failed for a reason the user can fix (port in use, unusable data dir). */
    public static final class StartupException extends RuntimeException {
        public StartupException(String message, Throwable cause) { super(message, cause); }
    }
}
