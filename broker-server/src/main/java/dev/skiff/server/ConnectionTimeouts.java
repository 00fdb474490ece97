package dev.skiff.server;

import dev.skiff.protocol.KafkaFrameDecoder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that hold resources without using them: idle ones (no byte either way for
 * connections.max.idle.ms, as Kafka does) and slow senders whose request has begun but not finished within
 * skiff.request.read.timeout.ms (a slow-loris client keeps a connection "active" with a byte now and then,
 * which an idle timer alone never catches). Sits in front of the frame decoder, which it asks whether a frame
 * is half read. Time spent with reading paused because too many requests are in flight is not the client's
 * fault and does not count; a client that does not take its answers (reading paused because they pile up) is
 * idle while none of them moves, as Kafka sees a connection whose send cannot progress.
 */
final class ConnectionTimeouts extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(ConnectionTimeouts.class);

    private final long idleNanos;
    private final long partialNanos;
    private long lastActivity = System.nanoTime();
    private long partialSince = -1;
    private long unsentSeen = -1;
    private ScheduledFuture<?> check;

    ConnectionTimeouts(long idleMs, long partialMs) {
        this.idleNanos = idleMs > 0 ? TimeUnit.MILLISECONDS.toNanos(idleMs) : Long.MAX_VALUE;
        this.partialNanos = partialMs > 0 ? TimeUnit.MILLISECONDS.toNanos(partialMs) : Long.MAX_VALUE;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long shortest = Math.min(idleNanos, partialNanos);
        if (shortest != Long.MAX_VALUE) {
            // a few checks per period keep the overshoot small without a timer per read
            long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), shortest / 4);
            check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), every, every, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) check.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        lastActivity = now;
        ctx.fireChannelRead(msg); // the decoder runs here, so afterwards it knows whether a frame is half read
        KafkaFrameDecoder frames = ctx.pipeline().get(KafkaFrameDecoder.class);
        if (frames != null && frames.partialFrameBytes() > 0) {
            if (partialSince < 0) partialSince = now;
        } else {
            partialSince = -1;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = System.nanoTime();
        ctx.write(msg, promise);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) return;
        long now = System.nanoTime();
        if (!ctx.channel().config().isAutoRead()) {
            // not reading: a half-sent request waits for us, not for the client
            if (partialSince >= 0) partialSince = now;
            if (ctx.channel().isWritable()) {
                lastActivity = now; // requests in flight: the broker, not the client, is behind
                return;
            }
            long unsent = unsentBytes(ctx);
            if (unsent != unsentSeen) { // the client took some of its answers since the last look
                unsentSeen = unsent;
                lastActivity = now;
            }
        }
        if (partialSince >= 0 && now - partialSince > partialNanos) {
            close(
                    ctx,
                    "request not complete " + TimeUnit.NANOSECONDS.toMillis(partialNanos)
                            + " ms after its first byte (skiff.request.read.timeout.ms)");
        } else if (now - lastActivity > idleNanos) {
            close(ctx, "idle for more than connections.max.idle.ms=" + TimeUnit.NANOSECONDS.toMillis(idleNanos));
        }
    }

    private static long unsentBytes(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? -1 : out.totalPendingWriteBytes() - out.currentProgress();
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        SocketAddress remote = ctx.channel().remoteAddress();
        log.warn("Closing connection from {}: {}", remote, reason);
        if (check != null) check.cancel(false);
        ctx.close();
    }
}
