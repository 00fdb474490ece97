package dev.skiff.server;

import dev.skiff.broker.quota.ClientQuotas;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps connections per client IP (max.connections.per.ip); a connection over the cap is closed at once. A
 * connection over its IP's connection_creation_rate quota is held unread for its throttle time, then closed, as
 * Kafka's acceptor does.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int maxPerIp;
    private final ClientQuotas quotas;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxPerIp, ClientQuotas quotas) {
        this.maxPerIp = maxPerIp;
        this.quotas = quotas;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress ip = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        int n = counts.computeIfAbsent(ip, x -> new AtomicInteger()).incrementAndGet();
        if (n > maxPerIp) {
            log.warn("Closing connection from {}: more than max.connections.per.ip={}", ip.getHostAddress(), maxPerIp);
            ctx.close();
            return;
        }
        long throttleMs = quotas == null ? 0 : quotas.recordConnection(ip, System.currentTimeMillis());
        if (throttleMs > 0) {
            log.info(
                    "Closing connection from {} in {} ms: over its connection_creation_rate quota",
                    ip.getHostAddress(),
                    throttleMs);
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> ctx.close(), throttleMs, TimeUnit.MILLISECONDS);
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress ip = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        counts.computeIfPresent(ip, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
        ctx.fireChannelInactive();
    }
}
