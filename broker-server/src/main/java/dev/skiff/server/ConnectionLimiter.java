package dev.skiff.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Caps connections per client IP (max.connections.per.ip); a connection over the cap is closed at once. */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int maxPerIp;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> counts = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxPerIp) {
        this.maxPerIp = maxPerIp;
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
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress ip = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        counts.computeIfPresent(ip, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
        ctx.fireChannelInactive();
    }
}
