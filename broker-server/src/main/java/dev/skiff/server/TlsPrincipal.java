package dev.skiff.server;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.server.security.PrincipalMapper;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On an SSL listener (not SASL_SSL, where SASL names the principal): once the TLS handshake is done, the
 * client certificate's subject, mapped by ssl.principal.mapping.rules, becomes the principal; without a
 * certificate the client stays ANONYMOUS, as in Kafka. A failed handshake closes the connection.
 */
final class TlsPrincipal extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsPrincipal.class);

    private final PrincipalMapper mapper;
    private final boolean namesPrincipal;

    TlsPrincipal(PrincipalMapper mapper, boolean namesPrincipal) {
        this.mapper = mapper;
        this.namesPrincipal = namesPrincipal;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                log.debug(
                        "TLS handshake with {} failed: {}",
                        ctx.channel().remoteAddress(),
                        done.cause().toString());
                ctx.close();
            } else if (namesPrincipal) {
                KafkaPrincipal who = principal(ctx);
                if (who == null) {
                    ctx.close(); // as Kafka: no mapping rule matched, the client fails to authenticate
                    return;
                }
                ConnectionIdentity.of(ctx.channel()).authenticated(who);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private KafkaPrincipal principal(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        try {
            Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate x) {
                String dn = x.getSubjectX500Principal().getName();
                String name = mapper.map(dn);
                if (name == null) {
                    log.warn("No ssl.principal.mapping.rules rule matches {}; closing", dn);
                    return null;
                }
                return KafkaPrincipal.user(name);
            }
        } catch (SSLPeerUnverifiedException noCertificate) {
            // ssl.client.auth none or requested without a certificate
        }
        return KafkaPrincipal.ANONYMOUS;
    }
}
