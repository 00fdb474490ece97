package dev.skiff.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.SaslAuthenticateRequestData;
import dev.skiff.protocol.message.SaslHandshakeRequestData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The SASL state machine of a connection, without sockets: Kafka's order of requests and its answers. */
class SaslSessionTest {

    /** A one-step mechanism: the token is the user name, "bad" is refused. */
    private static final SaslMechanisms ONE_STEP = new SaslMechanisms() {
        @Override
        public List<String> enabled() {
            return List.of("PLAIN", "SCRAM-SHA-256");
        }

        @Override
        public SaslExchange start(String mechanism) {
            return new SaslExchange() {
                KafkaPrincipal who;

                @Override
                public byte[] evaluate(byte[] token) throws SaslAuthenticationException {
                    String user = new String(token, StandardCharsets.UTF_8);
                    if (user.equals("bad")) throw new SaslAuthenticationException("Invalid username or password");
                    who = KafkaPrincipal.user(user);
                    return new byte[0];
                }

                @Override
                public boolean complete() {
                    return who != null;
                }

                @Override
                public KafkaPrincipal principal() {
                    return who;
                }
            };
        }
    };

    private final AtomicLong now = new AtomicLong(1000);

    private SaslSession session(List<String> configured, long reauthMs) {
        return new SaslSession(ONE_STEP, configured, reauthMs, now::get);
    }

    private static SaslAuthenticateRequestData token(String s) {
        return new SaslAuthenticateRequestData().setAuthBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void beforeTheHandshakeOnlyApiVersionsAndSaslHandshakeAreAllowed() {
        SaslSession s = session(List.of(), 0);
        assertEquals(SaslSession.Verdict.SERVE, s.classify(ApiKeys.API_VERSIONS));
        assertEquals(SaslSession.Verdict.AUTHENTICATE, s.classify(ApiKeys.SASL_HANDSHAKE));
        assertEquals(SaslSession.Verdict.CLOSE, s.classify(ApiKeys.METADATA));
        assertEquals(SaslSession.Verdict.CLOSE, s.classify(ApiKeys.SASL_AUTHENTICATE));
    }

    @Test
    void aV1HandshakeThenSaslAuthenticateAuthenticates() {
        SaslSession s = session(List.of(), 0);
        var hs = s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        assertEquals(Errors.NONE.code(), hs.response().errorCode());
        assertFalse(hs.close());
        assertEquals(SaslSession.Verdict.CLOSE, s.classify(ApiKeys.METADATA), "nothing else until authenticated");
        var auth = s.authenticate(token("alice"), (short) 1);
        assertEquals(Errors.NONE.code(), auth.response().errorCode());
        assertEquals(0, auth.response().sessionLifetimeMs(), "no connections.max.reauth.ms: no lifetime");
        assertTrue(s.authenticated());
        assertEquals(KafkaPrincipal.user("alice"), s.principal());
        assertEquals(SaslSession.Verdict.SERVE, s.classify(ApiKeys.METADATA));
        assertEquals(
                SaslSession.Verdict.SERVE,
                s.classify(ApiKeys.SASL_AUTHENTICATE),
                "a stray SaslAuthenticate goes to the broker, which refuses it");
    }

    @Test
    void anUnsupportedMechanismListsTheEnabledOnesAndCloses() {
        SaslSession s = session(List.of("PLAIN"), 0);
        assertEquals(List.of("PLAIN"), s.enabled(), "sasl.enabled.mechanisms narrows what the mechanisms offer");
        var hs = s.handshake(new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256"), (short) 1);
        assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), hs.response().errorCode());
        assertEquals(List.of("PLAIN"), hs.response().mechanisms());
        assertTrue(hs.close());
    }

    @Test
    void aRefusedExchangeAnswersSaslAuthenticationFailedAndCloses() {
        SaslSession s = session(List.of(), 0);
        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        var auth = s.authenticate(token("bad"), (short) 2);
        assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), auth.response().errorCode());
        assertEquals("Invalid username or password", auth.response().errorMessage());
        assertTrue(auth.close());
        assertEquals(SaslSession.Verdict.CLOSE, s.classify(ApiKeys.API_VERSIONS));
    }

    @Test
    void aV0HandshakeTakesRawTokens() throws Exception {
        SaslSession s = session(List.of(), 0);
        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 0);
        assertTrue(s.expectsRawToken());
        s.rawToken("alice".getBytes(StandardCharsets.UTF_8));
        assertTrue(s.authenticated());
        assertFalse(s.expectsRawToken());
        SaslSession refused = session(List.of(), 0);
        refused.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 0);
        assertThrows(SaslAuthenticationException.class, () -> refused.rawToken("bad".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sessionsExpireAndReauthenticateWithTheSameMechanismAndPrincipal() {
        SaslSession s = session(List.of(), 5000);
        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        assertEquals(5000, s.authenticate(token("alice"), (short) 1).response().sessionLifetimeMs());
        now.addAndGet(5000);
        assertEquals(SaslSession.Verdict.CLOSE, s.classify(ApiKeys.PRODUCE), "an expired session is closed");
        assertEquals(SaslSession.Verdict.AUTHENTICATE, s.classify(ApiKeys.SASL_HANDSHAKE), "but may re-authenticate");
        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        assertEquals(
                Errors.NONE.code(),
                s.authenticate(token("alice"), (short) 1).response().errorCode());
        assertEquals(SaslSession.Verdict.SERVE, s.classify(ApiKeys.PRODUCE));

        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        var other = s.authenticate(token("mallory"), (short) 1);
        assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), other.response().errorCode(), "no change of principal");
        assertTrue(other.close());
    }

    @Test
    void reauthenticationMustKeepTheMechanism() {
        SaslSession s = session(List.of(), 5000);
        s.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"), (short) 1);
        s.authenticate(token("alice"), (short) 1);
        var hs = s.handshake(new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256"), (short) 1);
        assertEquals(Errors.ILLEGAL_SASL_STATE.code(), hs.response().errorCode());
        assertTrue(hs.close());
    }
}
