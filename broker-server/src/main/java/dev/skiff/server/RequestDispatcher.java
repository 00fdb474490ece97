package dev.skiff.server;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.quota.ClientQuotas;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.DecodedRequest;
import dev.skiff.protocol.ErrorResponse;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.ResponseEncoder;
import dev.skiff.protocol.ResponseFrame;
import dev.skiff.protocol.message.ApiVersionsRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.server.control.ControlContext;
import dev.skiff.server.control.Controls;
import dev.skiff.server.control.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>A request whose handling fails (a throw or a failed future) is answered with its API's own error response:
 * the code of an {@link ApiException}, UNKNOWN_SERVER_ERROR for anything else.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    /** A request whose answer is awaited, in arrival order. */
    private static final class Pending {
        final int correlationId;
        final ApiKeys api;
        final short version;
        final ApiMessage request;
        final CompletableFuture<ApiMessage> answer;
        final long arrivedNanos = System.nanoTime();
        /** The request's size (header and body), which a produce quota counts. */
        final long requestBytes;

        final String clientId;
        /** How long handling the request took on this thread, when a request_percentage quota is set (else 0). */
        long handleNanos;
        /** Set once the answer was measured against the client's quota (it is measured once). */
        boolean quotaChecked;
        /** An answer held back for its throttle time (old versions, whose clients do not wait themselves). */
        boolean held;

        Pending(
                int correlationId,
                ApiKeys api,
                short version,
                ApiMessage request,
                CompletableFuture<ApiMessage> answer,
                long requestBytes,
                String clientId) {
            this.correlationId = correlationId;
            this.api = api;
            this.version = version;
            this.request = request;
            this.answer = answer;
            this.requestBytes = requestBytes;
            this.clientId = clientId;
        }
    }

    private final Broker broker;
    private final int maxInFlight;
    private final Controls controls;
    private final long connectionId = CONNECTIONS.incrementAndGet();
    /** Log regions go out on descriptors leased for the length of their send (plain text): see drain. */
    private final boolean leaseRegions;
    // both start small (they grow as needed): a thousand mostly idle connections need not hold 16 slots each
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(4);
    /** Frames read while paused (at most one socket read's worth), dispatched in order on resuming. */
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>(1);

    private ChannelConnection connection;
    private String clientAddress = "?";
    private boolean readPaused;
    /** Throttled by a client quota (KIP-219): nothing more is read until {@link #mutedUntilNanos}. */
    private boolean muted;

    private long mutedUntilNanos;
    private boolean dispatchingBacklog;
    /** The client id last reported to the connection list (it changes rarely: reported only on change). */
    private String reportedClientId;

    RequestDispatcher(Broker broker, int maxInFlight) {
        this(broker, maxInFlight, new Controls());
    }

    RequestDispatcher(Broker broker, int maxInFlight, Controls controls) {
        this(broker, maxInFlight, controls, false);
    }

    /** With {@code leaseRegions}, log regions are written as {@link LeasedFileRegions} makes them. */
    RequestDispatcher(Broker broker, int maxInFlight, Controls controls, boolean leaseRegions) {
        this.broker = broker;
        this.maxInFlight = maxInFlight;
        this.controls = controls;
        this.leaseRegions = leaseRegions;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection = new ChannelConnection(ctx.executor(), ConnectionIdentity.of(ctx.channel()));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            clientAddress = a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        ConnectionIdentity identity = ConnectionIdentity.of(ctx.channel());
        broker.metrics().connectionOpened(connectionId, clientAddress, identity.listener);
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
        return muted || pending.size() >= maxInFlight || !ctx.channel().isWritable();
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
        broker.metrics().connectionClosed(connectionId);
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
                enqueue(
                        ctx,
                        new Pending(
                                correlationId,
                                api,
                                (short) 0,
                                null,
                                CompletableFuture.completedFuture(
                                        broker.handlers().apiVersions().unsupportedVersionResponse()),
                                0,
                                null));
                return;
            }
            close(ctx, api + " version " + version + " is not supported");
            return;
        }
        long requestBytes = frame.readableBytes();
        DecodedRequest request;
        try {
            request = RequestParser.parse(frame);
        } catch (ProtocolException e) {
            close(ctx, "malformed " + api + " v" + version + " request: " + e.getMessage());
            return;
        }
        noteClient(request);
        RequestContext rc = new RequestContext(
                api, version, correlationId, request.clientId(), clientAddress, connectionId, connection);
        CompletableFuture<ApiMessage> answer;
        boolean timed = broker.clientQuotas().active(ClientQuotas.Type.REQUEST);
        long started = timed ? System.nanoTime() : 0;
        try {
            Reply reply = controls.isEmpty()
                    ? null
                    : controls.decide(
                            new ControlContext(
                                    api, version, correlationId, request.clientId(), clientAddress, connectionId),
                            request.body());
            answer = reply == null ? broker.handle(rc, request.body()) : controlled(ctx, reply, rc, request.body());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (answer == null) return; // the connection was dropped
        Pending p = new Pending(
                correlationId,
                api,
                version,
                request.body(),
                orErrorResponse(answer, rc, request.body()),
                requestBytes,
                request.clientId());
        if (timed) p.handleNanos = System.nanoTime() - started;
        enqueue(ctx, p);
    }

    /** Keeps the connection list's client id and software (ApiVersions v3+ names it) up to date. */
    private void noteClient(DecodedRequest request) {
        String clientId = request.clientId();
        if (request.body() instanceof ApiVersionsRequestData v) {
            reportedClientId = clientId;
            broker.metrics()
                    .connectionIdentified(
                            connectionId,
                            clientId,
                            v.clientSoftwareName(),
                            v.clientSoftwareVersion(),
                            connection.principal().toString());
        } else if (clientId != null && !clientId.equals(reportedClientId)) {
            reportedClientId = clientId;
            broker.metrics().connectionIdentified(connectionId, clientId, null, null, null);
        }
    }

    /** Carries out a control's reply: the answer to queue, or null when the connection was dropped at once. */
    private CompletableFuture<ApiMessage> controlled(
            ChannelHandlerContext ctx, Reply reply, RequestContext rc, ApiMessage request) {
        long delay = reply.delayMillis();
        switch (reply.kind()) {
            case DROP -> {
                Runnable drop = () -> close(ctx, "a control dropped the connection on " + rc.api());
                if (delay == 0) {
                    drop.run();
                    return null;
                }
                ctx.executor().schedule(drop, delay, TimeUnit.MILLISECONDS);
                return new CompletableFuture<>(); // never answered: nothing queued behind it is written first
            }
            case ANSWER -> {
                ApiMessage response = reply.response();
                if (response != null && response.apiKey() != rc.api().id()) {
                    // the client would misread another API's layout; a broken control is a server error
                    throw new IllegalArgumentException(
                            "a control answered " + rc.api() + " with a response of api " + response.apiKey());
                }
                return delayed(ctx, CompletableFuture.completedFuture(response), delay);
            }
            case ERROR -> {
                return delayed(
                        ctx, CompletableFuture.failedFuture(new ApiException(reply.error(), reply.message())), delay);
            }
            default -> {
                CompletableFuture<ApiMessage> answer = broker.handle(rc, request);
                if (reply.edit() != null) answer = answer.thenApply(reply.edit());
                return delayed(ctx, answer, delay);
            }
        }
    }

    /** Completes no sooner than {@code delayMillis} after now (the request's arrival), and no sooner than the answer. */
    private static CompletableFuture<ApiMessage> delayed(
            ChannelHandlerContext ctx, CompletableFuture<ApiMessage> answer, long delayMillis) {
        if (delayMillis == 0) return answer;
        CompletableFuture<Void> timer = new CompletableFuture<>();
        ctx.executor().schedule(() -> timer.complete(null), delayMillis, TimeUnit.MILLISECONDS);
        return answer.thenCombine(timer, (r, x) -> r);
    }

    /** The answer, or the request's own error response when handling it failed. */
    private CompletableFuture<ApiMessage> orErrorResponse(
            CompletableFuture<ApiMessage> answer, RequestContext rc, ApiMessage request) {
        return answer.handle((response, failure) -> failure == null ? response : errorResponse(rc, request, failure));
    }

    private ApiMessage errorResponse(RequestContext rc, ApiMessage request, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Errors error;
        String message;
        if (cause instanceof ApiException e) {
            error = e.error();
            message = e.getMessage();
            log.debug("{} v{} from {} failed with {}: {}", rc.api(), rc.apiVersion(), clientAddress, error, message);
        } else if (cause instanceof java.util.concurrent.CancellationException) {
            // a waiting request (a long-poll fetch) whose connection closed: nobody is there to answer
            error = Errors.UNKNOWN_SERVER_ERROR;
            message = null;
            log.debug("{} v{} from {} cancelled: its connection closed", rc.api(), rc.apiVersion(), clientAddress);
        } else {
            error = Errors.UNKNOWN_SERVER_ERROR;
            message = null; // the client learns nothing of the broker's insides
            log.error("{} v{} from {} failed", rc.api(), rc.apiVersion(), clientAddress, cause);
        }
        if (request instanceof ProduceRequestData p && p.acks() == 0) {
            // No answer can carry the error: Kafka closes the connection so the producer notices.
            throw new CompletionException(new ApiException(error, "acks=0 produce failed with " + error));
        }
        return ErrorResponse.of(request, rc.apiVersion(), error, message);
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
            Pending p = pending.peekFirst();
            if (p.held) break; // waits out its throttle time; a timer drains it
            ApiMessage body;
            try {
                body = p.answer.join();
            } catch (RuntimeException e) {
                pending.pollFirst();
                // Only what has no error response ends here (an acks=0 produce); the cause is logged already.
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                close(ctx, p.api + " v" + p.version + " failed without an answer to carry it: " + cause.getMessage());
                return;
            }
            if (!p.quotaChecked) {
                p.quotaChecked = true;
                long throttleMs = throttle(p, body);
                if (throttleMs > 0) {
                    mute(ctx, throttleMs);
                    if (!clientThrottles(p)) {
                        // Kafka's rule for clients before KIP-219: the answer itself comes after the throttle time
                        p.held = true;
                        ctx.executor()
                                .schedule(
                                        () -> {
                                            p.held = false;
                                            drain(ctx);
                                        },
                                        throttleMs,
                                        TimeUnit.MILLISECONDS);
                        break;
                    }
                }
            }
            pending.pollFirst();
            if (body == null) continue; // acks=0: no answer
            if (!ctx.channel().isActive()) continue;
            ResponseFrame frame = encode(ctx, p, body);
            if (frame == null) {
                close(ctx, p.api + " v" + p.version + ": neither the answer nor an error answer could be encoded");
                return;
            }
            for (Object piece : frame.pieces()) {
                ctx.write(leaseRegions ? LeasedFileRegions.forSend(piece) : piece, ctx.voidPromise());
            }
            broker.metrics().recordRequest(p.api, p.version, System.nanoTime() - p.arrivedNanos);
            wrote = true;
        }
        if (wrote) ctx.flush();
        resume(ctx);
    }

    /**
     * Measures a produce (its request bytes) or a consumer's fetch (the record bytes of its answer) against the
     * client's byte-rate quota, and every request's handling time against its request_percentage quota, and
     * writes the longer throttle time into the answer where its version has the field (the larger of it and any
     * throttle time already there). Replica fetches, and clients without a quota: 0.
     */
    private long throttle(Pending p, ApiMessage body) {
        ClientQuotas quotas = broker.clientQuotas();
        boolean bytes = p.api == ApiKeys.PRODUCE
                ? quotas.active(ClientQuotas.Type.PRODUCE)
                : p.api == ApiKeys.FETCH && quotas.active(ClientQuotas.Type.FETCH);
        if (!bytes && p.handleNanos == 0) return 0;
        if (p.request == null
                || (p.request instanceof FetchRequestData f
                        && (f.replicaId() >= 0
                                || (f.replicaState() != null && f.replicaState().replicaId() >= 0)))) return 0;
        String user = connection.principal().name();
        long now = System.currentTimeMillis();
        long ms = 0;
        if (bytes && p.api == ApiKeys.PRODUCE) {
            ms = quotas.record(ClientQuotas.Type.PRODUCE, user, p.clientId, p.requestBytes, now);
        } else if (bytes && body instanceof FetchResponseData r) {
            long sent = 0;
            for (FetchResponseData.FetchableTopicResponse t : r.responses())
                for (FetchResponseData.PartitionData d : t.partitions())
                    if (d.records() != null) sent += d.records().sizeInBytes();
            ms = quotas.record(ClientQuotas.Type.FETCH, user, p.clientId, sent, now);
        }
        if (p.handleNanos > 0)
            ms = Math.max(
                    ms,
                    quotas.record(
                            ClientQuotas.Type.REQUEST,
                            user,
                            p.clientId,
                            ClientQuotas.requestPercentage(p.handleNanos),
                            now));
        // the wire's field is an int32 of milliseconds, and so is the longest mute
        ms = Math.min(ms, Integer.MAX_VALUE);
        if (ms > 0 && body != null) ThrottleField.raise(body, (int) ms);
        return ms;
    }

    /**
     * KIP-219: from Produce v6 and Fetch v8 the client waits out the throttle time itself; older produce and fetch
     * answers are held for it. Other answers are sent at once (the muted connection throttles the client).
     */
    private static boolean clientThrottles(Pending p) {
        if (p.api == ApiKeys.PRODUCE) return p.version >= 6;
        if (p.api == ApiKeys.FETCH) return p.version >= 8;
        return true;
    }

    /** Stops reading from the connection for {@code ms} (Kafka mutes a throttled channel). */
    private void mute(ChannelHandlerContext ctx, long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        if (muted && until - mutedUntilNanos <= 0) return;
        muted = true;
        mutedUntilNanos = until;
        updateReading(ctx);
        ctx.executor().schedule(() -> unmuteIfDue(ctx), ms, TimeUnit.MILLISECONDS);
    }

    private void unmuteIfDue(ChannelHandlerContext ctx) {
        if (!muted || System.nanoTime() - mutedUntilNanos < 0) return; // a later throttle extended it
        muted = false;
        resume(ctx);
    }

    /**
     * The answer's frame; an answer the version cannot carry (a bug: a field set that the version cannot
     * encode) becomes the request's own UNKNOWN_SERVER_ERROR answer, so the client is answered and the
     * connection stays open. Null only if that fails too.
     */
    private ResponseFrame encode(ChannelHandlerContext ctx, Pending p, ApiMessage body) {
        ResponseEncoder encoder = new ResponseEncoder(ctx.alloc());
        try {
            return encoder.encode(p.correlationId, p.api, p.version, body);
        } catch (RuntimeException e) {
            log.error(
                    "{} v{} answer to {} cannot be encoded; answering UNKNOWN_SERVER_ERROR",
                    p.api,
                    p.version,
                    clientAddress,
                    e);
            if (p.request == null) return null;
            try {
                return encoder.encode(
                        p.correlationId,
                        p.api,
                        p.version,
                        ErrorResponse.of(p.request, p.version, Errors.UNKNOWN_SERVER_ERROR, null));
            } catch (RuntimeException again) {
                return null;
            }
        }
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
