package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.api.ApiVersionsApi;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.DecodedRequest;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.ResponseEncoder;
import dev.skiff.server.faults.Decision;
import dev.skiff.server.faults.Intercepted;
import dev.skiff.server.faults.Interceptors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: turns frames into requests, hands them to the broker, and writes the answers back in
 * request order (clients pipeline requests and match answers by order as well as correlation id). A
 * connection that sends something Skiff cannot parse is closed with a logged reason; others carry on.
 *
 * <p>Back-pressure: while the connection has {@code maxInFlight} requests unanswered, or more unsent answer
 * bytes than the channel's high water mark (a client that does not read), reading stops and requests already
 * read wait here undispatched; both resume once answers drain. So what one connection holds is bounded by the
 * water mark plus the answers of its in-flight requests, however fast it sends.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    /** A request whose answer is awaited, in arrival order. */
    private record Pending(int correlationId, ApiKeys api, short version, CompletableFuture<ApiMessage> answer) {}

    private final Broker broker;
    private final int maxInFlight;
    private final Interceptors interceptors;
    private final long connectionId = CONNECTIONS.incrementAndGet();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Frames read while paused (at most one socket read's worth), dispatched in order on resuming. */
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>();
    private ChannelConnection connection;
    private String clientAddress = "?";
    private boolean readPaused;
    private boolean dispatchingBacklog;

    RequestDispatcher(Broker broker, int maxInFlight) {
        this(broker, maxInFlight, new Interceptors());
    }

    RequestDispatcher(Broker broker, int maxInFlight, Interceptors interceptors) {
        this.broker = broker;
        this.maxInFlight = maxInFlight;
        this.interceptors = interceptors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection = new ChannelConnection(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            clientAddress = a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (!backlog.isEmpty() || mustWait(ctx)) {
            // the decoder hands over every whole frame of a read even after reading was paused
            backlog.addLast(frame);
            updateReading(ctx);
            return;
        }
        dispatchAndRelease(ctx, frame);
    }

    private void dispatchAndRelease(ChannelHandlerContext ctx, ByteBuf frame) {
        try {
            dispatch(ctx, frame);
        } finally {
            // Handlers that keep request bytes (produce) copy them into the log before returning.
            frame.release();
        }
    }

    /** Too many answers outstanding, or the client is not taking the ones written. */
    private boolean mustWait(ChannelHandlerContext ctx) {
        return pending.size() >= maxInFlight || !ctx.channel().isWritable();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        resume(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    /** Dispatches what waited as far as the limits allow, then reads again if nothing waits any more. */
    private void resume(ChannelHandlerContext ctx) {
        if (!dispatchingBacklog) {
            dispatchingBacklog = true; // an answer written during dispatch calls back here
            try {
                while (!backlog.isEmpty() && !mustWait(ctx) && ctx.channel().isActive()) {
                    dispatchAndRelease(ctx, backlog.pollFirst());
                }
            } finally {
                dispatchingBacklog = false;
            }
        }
        updateReading(ctx);
    }

    private void updateReading(ChannelHandlerContext ctx) {
        boolean pause = !backlog.isEmpty() || mustWait(ctx);
        if (pause != readPaused) {
            readPaused = pause;
            ctx.channel().config().setAutoRead(!pause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // nobody will read these answers: forget them, and end the work that waits for this client
        pending.clear();
        while (!backlog.isEmpty()) backlog.pollFirst().release();
        connection.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        while (!backlog.isEmpty()) backlog.pollFirst().release();
    }

    private void dispatch(ChannelHandlerContext ctx, ByteBuf frame) {
        if (frame.readableBytes() < 8) {
            close(ctx, "request of " + frame.readableBytes() + " bytes is shorter than a request header");
            return;
        }
        int start = frame.readerIndex();
        short apiKey = frame.getShort(start);
        short version = frame.getShort(start + 2);
        int correlationId = frame.getInt(start + 4);
        ApiKeys api = ApiKeys.forId(apiKey);
        if (api == null || broker.handlers().get(api) == null) {
            close(ctx, "unknown or unsupported API key " + apiKey);
            return;
        }
        if (!broker.handlers().supports(api, version)) {
            if (api == ApiKeys.API_VERSIONS) {
                // Kafka's rule: answer in v0 with UNSUPPORTED_VERSION and the versions we do support.
                ApiVersionsApi h = (ApiVersionsApi) broker.handlers().get(api);
                enqueue(ctx, new Pending(correlationId, api, (short) 0,
                        CompletableFuture.completedFuture(h.unsupportedVersionResponse())));
                return;
            }
            close(ctx, api + " version " + version + " is not supported");
            return;
        }
        DecodedRequest request;
        try {
            request = RequestParser.parse(frame);
        } catch (ProtocolException e) {
            close(ctx, "malformed " + api + " v" + version + " request: " + e.getMessage());
            return;
        }
        RequestContext rc = new RequestContext(api, version, correlationId, request.clientId(), clientAddress,
                connectionId, connection);
        CompletableFuture<ApiMessage> answer;
        try {
            Decision fault = interceptors.isEmpty() ? null : interceptors.decide(broker, rc, request.body());
            answer = fault == null ? broker.handle(rc, request.body())
                    : Intercepted.answer(fault, broker, rc, request.body(), ctx.executor(),
                            () -> close(ctx, "injected fault on " + api + ": connection dropped"));
        } catch (RuntimeException e) {
            log.error("{} v{} from {} failed", api, version, clientAddress, e);
            close(ctx, "internal error handling " + api);
            return;
        }
        if (answer == null) return; // the connection was dropped
        enqueue(ctx, new Pending(correlationId, api, version, answer));
    }

    private void enqueue(ChannelHandlerContext ctx, Pending p) {
        pending.addLast(p);
        updateReading(ctx);
        if (p.answer.isDone()) {
            drain(ctx);
        } else {
            p.answer.whenComplete((r, e) -> ctx.executor().execute(() -> drain(ctx)));
        }
    }

    /** Writes every answer at the head of the queue that is ready, in order. */
    private void drain(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peekFirst().answer.isDone()) {
            Pending p = pending.pollFirst();
            ApiMessage body;
            try {
                body = p.answer.join();
            } catch (RuntimeException e) {
                log.error("{} v{} from {} failed", p.api, p.version, clientAddress, e);
                close(ctx, "internal error handling " + p.api);
                return;
            }
            if (body == null) continue; // acks=0: no answer
            if (!ctx.channel().isActive()) continue;
            for (Object piece : new ResponseEncoder(ctx.alloc()).encode(p.correlationId, p.api, p.version, body).pieces()) {
                ctx.write(piece, ctx.voidPromise());
            }
            wrote = true;
        }
        if (wrote) ctx.flush();
        resume(ctx);
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        log.warn("Closing connection from {}: {}", clientAddress, reason);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("Connection from {} failed: {}", clientAddress, cause.toString());
            ctx.close();
        } else {
            close(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }
}
