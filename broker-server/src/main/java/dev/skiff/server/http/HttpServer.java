package dev.skiff.server.http;

import dev.skiff.broker.Broker;
import dev.skiff.config.Listeners;
import dev.skiff.server.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The console's HTTP listener, on the broker's own event loops: Netty's HTTP codec with small limits (a 4 KiB
 * request line, 8 KiB of headers, a body of {@link HttpSettings#maxBodyBytes()}), idle connections closed after
 * a minute, and the {@link HttpHandler} behind them.
 */
public final class HttpServer implements AutoCloseable {

    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int IDLE_SECONDS = 60;
    /** Connections the kernel queues before the console accepts them (a browser opens a handful). */
    private static final int BACKLOG = 128;

    private final Channel channel;
    private final String host;
    private final ExecutorService work;
    /** Accepted connections, closed with the server: the event loops they run on outlive it. */
    private final java.util.Set<Channel> connections;

    private HttpServer(Channel channel, String host, ExecutorService work, java.util.Set<Channel> connections) {
        this.channel = channel;
        this.host = host;
        this.work = work;
        this.connections = connections;
    }

    /** Binds the console for {@code broker}; throws when the port cannot be had. */
    public static HttpServer start(
            Broker broker, HttpSettings settings, Transport transport, EventLoopGroup boss, EventLoopGroup workers) {
        // one thread reads logs and groups for the console: it never competes with the data path for more
        ThreadPoolExecutor work =
                new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256), r -> {
                    Thread t = new Thread(r, "skiff-console");
                    t.setDaemon(true);
                    return t;
                });
        work.allowCoreThreadTimeOut(true);
        ConsoleLogin login = null;
        for (Listeners.Endpoint e : broker.config().listeners.all()) {
            if (e.protocol().sasl()) {
                login = new ConsoleLogin(broker.saslMechanisms(e.name()));
                break;
            }
        }
        int[] port = new int[1];
        java.util.Set<Channel> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HttpHandler handler = new HttpHandler(
                new ConsoleApi(broker),
                login,
                settings,
                () -> port[0],
                work,
                () -> PrometheusExport.scrape(broker.metrics(), broker.gauges()));
        // bound here (port 0 below the ephemeral range): a restart pins the port and must find it free
        ServerChannel listening;
        try {
            listening = transport.listen(settings.host(), settings.port(), BACKLOG);
        } catch (IOException e) {
            work.shutdownNow();
            throw new UncheckedIOException(
                    "cannot listen for the console on " + settings.host() + ":" + settings.port(), e);
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channelFactory(() -> listening)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.closeFuture().addListener(f -> connections.remove(ch));
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast("close-idle", new CloseIdle())
                                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregate", new HttpObjectAggregator(settings.maxBodyBytes(), true))
                                .addLast("console", handler);
                    }
                });
        try {
            Channel ch = b.register().syncUninterruptibly().channel(); // already bound: registering accepts
            port[0] = ((InetSocketAddress) ch.localAddress()).getPort();
            return new HttpServer(ch, settings.host(), work, connections);
        } catch (RuntimeException e) {
            Transport.close(listening);
            work.shutdownNow();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The console's address, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (h.contains(":")) h = "[" + h + "]";
        return "http://" + h + ":" + port() + "/";
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        for (Channel c : connections) c.close().awaitUninterruptibly();
        work.shutdownNow();
    }

    /** Closes a connection that sent nothing and was sent nothing for a while. */
    private static final class CloseIdle extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) ctx.close();
            else super.userEventTriggered(ctx, evt);
        }
    }
}
