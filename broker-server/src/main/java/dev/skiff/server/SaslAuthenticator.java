package dev.skiff.server;

import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.DecodedRequest;
import dev.skiff.protocol.KafkaFrameDecoder;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.ResponseEncoder;
import dev.skiff.protocol.ResponseFrame;
import dev.skiff.protocol.message.SaslAuthenticateRequestData;
import dev.skiff.protocol.message.SaslHandshakeRequestData;
import dev.skiff.server.security.SaslSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL gate of a connection on a SASL listener, between the frame decoder and the dispatcher: it answers
 * SaslHandshake and SaslAuthenticate itself (and raw v0 tokens), lets ApiVersions through before
 * authentication and everything once authenticated, and closes the connection on anything else. The rules
 * are {@link SaslSession}'s; this class only moves frames. Until the client authenticates, frames are capped
 * at {@link #PRE_AUTH_MAX_BYTES} (Kafka's own limit), so an unauthenticated client cannot make the broker
 * buffer socket.request.max.bytes.
 */
final class SaslAuthenticator extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

    /** Largest frame read before authentication (Kafka's SaslServerAuthenticator.MAX_RECEIVE_SIZE). */
    static final int PRE_AUTH_MAX_BYTES = 512 * 1024;

    private final SaslSession session;
    private final KafkaFrameDecoder frames;
    private final int authenticatedMaxBytes;

    SaslAuthenticator(SaslSession session, KafkaFrameDecoder frames, int authenticatedMaxBytes) {
        this.session = session;
        this.frames = frames;
        this.authenticatedMaxBytes = authenticatedMaxBytes;
        frames.maxRequestSize(Math.min(PRE_AUTH_MAX_BYTES, authenticatedMaxBytes));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        boolean passed = false;
        try {
            if (session.expectsRawToken()) {
                rawToken(ctx, ByteBufUtil.getBytes(frame));
                return;
            }
            if (frame.readableBytes() < 8) {
                passed = true; // the dispatcher closes it, saying why
                ctx.fireChannelRead(frame);
                return;
            }
            short apiKey = frame.getShort(frame.readerIndex());
            ApiKeys api = ApiKeys.forId(apiKey);
            SaslSession.Verdict verdict = api == null ? SaslSession.Verdict.CLOSE : session.classify(api);
            switch (verdict) {
                case SERVE -> {
                    passed = true;
                    ctx.fireChannelRead(frame);
                }
                case CLOSE ->
                    close(
                            ctx,
                            session.authenticated()
                                    ? "the SASL session expired (connections.max.reauth.ms) without re-authentication"
                                    : "API key " + apiKey + " before SASL authentication completed");
                case AUTHENTICATE -> authenticate(ctx, api, frame);
            }
        } finally {
            if (!passed) frame.release();
        }
    }

    private void authenticate(ChannelHandlerContext ctx, ApiKeys api, ByteBuf frame) {
        short version = frame.getShort(frame.readerIndex() + 2);
        int max = api == ApiKeys.SASL_HANDSHAKE ? 1 : 2;
        if (version < 0 || version > max) {
            close(ctx, api + " version " + version + " is not supported");
            return;
        }
        DecodedRequest request;
        try {
            request = RequestParser.parse(frame);
        } catch (ProtocolException e) {
            close(ctx, "malformed " + api + " v" + version + ": " + e.getMessage());
            return;
        }
        ApiMessage response;
        boolean closeAfter;
        if (api == ApiKeys.SASL_HANDSHAKE) {
            var outcome = session.handshake((SaslHandshakeRequestData) request.body(), version);
            response = outcome.response();
            closeAfter = outcome.close();
        } else {
            var outcome = session.authenticate((SaslAuthenticateRequestData) request.body(), version);
            response = outcome.response();
            closeAfter = outcome.close();
        }
        ResponseFrame answer = new ResponseEncoder(ctx.alloc()).encode(request.correlationId(), api, version, response);
        for (Object piece : answer.pieces()) ctx.write(piece, ctx.voidPromise());
        if (closeAfter) {
            log.info("Closing connection from {}: {} refused", ctx.channel().remoteAddress(), api);
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.flush();
        authenticatedIfComplete(ctx);
    }

    private void rawToken(ChannelHandlerContext ctx, byte[] token) {
        byte[] answer;
        try {
            answer = session.rawToken(token);
        } catch (SaslAuthenticationException e) {
            close(ctx, "SASL authentication failed: " + e.getMessage());
            return;
        }
        ByteBuf out = ctx.alloc().buffer(4 + answer.length);
        out.writeInt(answer.length).writeBytes(answer);
        ctx.writeAndFlush(out, ctx.voidPromise());
        authenticatedIfComplete(ctx);
    }

    private void authenticatedIfComplete(ChannelHandlerContext ctx) {
        if (!session.authenticated()) return;
        ConnectionIdentity.of(ctx.channel()).authenticated(session.principal());
        frames.maxRequestSize(authenticatedMaxBytes);
    }

    private static void close(ChannelHandlerContext ctx, String reason) {
        log.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}
