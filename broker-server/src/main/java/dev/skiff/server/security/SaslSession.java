package dev.skiff.server.security;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.SaslAuthenticateRequestData;
import dev.skiff.protocol.message.SaslAuthenticateResponseData;
import dev.skiff.protocol.message.SaslHandshakeRequestData;
import dev.skiff.protocol.message.SaslHandshakeResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL state of one connection, as Kafka's SaslServerAuthenticator keeps it, without the network:
 *
 * <ol>
 * <li>Before the handshake only ApiVersions (served by the broker) and SaslHandshake are allowed.
 * <li>SaslHandshake v0: the tokens then come as raw frames without Kafka headers. v1: in SaslAuthenticate
 *     requests (v0-2), and nothing else is allowed until the exchange completes. A mechanism not enabled is
 *     answered UNSUPPORTED_SASL_MECHANISM with the enabled ones, and the connection closes.
 * <li>A refused exchange answers SASL_AUTHENTICATION_FAILED with its message (v1; v0 has no way to say it),
 *     and the connection closes.
 * <li>Authenticated: everything is served. With {@code connections.max.reauth.ms} the session lasts that long
 *     (SaslAuthenticate v1+ tells the client); a SaslHandshake then starts a re-authentication (KIP-368) with
 *     the same mechanism and principal, and any other request after the session expired closes the
 *     connection.
 * </ol>
 *
 * Anything out of order closes the connection, as Kafka does.
 */
public final class SaslSession {

    private static final Logger log = LoggerFactory.getLogger(SaslSession.class);

    /** What to do with a request. */
    public enum Verdict {
        /** Pass it to the broker. */
        SERVE,
        /** A SASL request this session answers ({@link #handshake}, {@link #authenticate}). */
        AUTHENTICATE,
        /** Close the connection without an answer. */
        CLOSE
    }

    private enum State {
        HANDSHAKE,
        TOKENS_V0,
        AUTHENTICATE_V1,
        AUTHENTICATED,
        FAILED
    }

    /** An answer, and whether the connection closes once it is sent. */
    public record Outcome<T>(T response, boolean close) {}

    private final SaslMechanisms mechanisms;
    private final List<String> enabled;
    private final long maxReauthMs;
    private final LongSupplier clock;

    private State state = State.HANDSHAKE;
    private SaslExchange exchange;
    private String mechanism;
    private KafkaPrincipal principal;
    private boolean reauthenticating;
    /** When the session ends (clock millis); Long.MAX_VALUE: never. */
    private long expiresAt = Long.MAX_VALUE;

    /**
     * @param configured sasl.enabled.mechanisms of the listener; empty: all the mechanisms offer
     * @param maxReauthMs connections.max.reauth.ms; 0 or less: sessions never expire
     */
    public SaslSession(SaslMechanisms mechanisms, List<String> configured, long maxReauthMs, LongSupplier clock) {
        this.mechanisms = mechanisms;
        List<String> on = new ArrayList<>();
        for (String m : mechanisms.enabled()) {
            if (configured.isEmpty() || configured.contains(m.toUpperCase(Locale.ROOT))) on.add(m);
        }
        this.enabled = List.copyOf(on);
        this.maxReauthMs = maxReauthMs;
        this.clock = clock;
    }

    /** The mechanisms a handshake may ask for. */
    public List<String> enabled() {
        return enabled;
    }

    public boolean authenticated() {
        return principal != null && state == State.AUTHENTICATED;
    }

    /** Who authenticated, null before. */
    public KafkaPrincipal principal() {
        return principal;
    }

    /** True while the client sends SASL tokens as raw frames (after SaslHandshake v0). */
    public boolean expectsRawToken() {
        return state == State.TOKENS_V0;
    }

    /** What to do with a request of {@code api} in the current state. */
    public Verdict classify(ApiKeys api) {
        return switch (state) {
            case HANDSHAKE ->
                api == ApiKeys.API_VERSIONS
                        ? Verdict.SERVE
                        : api == ApiKeys.SASL_HANDSHAKE ? Verdict.AUTHENTICATE : Verdict.CLOSE;
            case AUTHENTICATE_V1 -> api == ApiKeys.SASL_AUTHENTICATE ? Verdict.AUTHENTICATE : Verdict.CLOSE;
            case TOKENS_V0, FAILED -> Verdict.CLOSE;
            case AUTHENTICATED -> {
                if (api == ApiKeys.SASL_HANDSHAKE) yield Verdict.AUTHENTICATE;
                yield expired() ? Verdict.CLOSE : Verdict.SERVE;
            }
        };
    }

    /** The session has outlived connections.max.reauth.ms without re-authenticating. */
    public boolean expired() {
        return expiresAt != Long.MAX_VALUE && clock.getAsLong() >= expiresAt;
    }

    /** Answers a SaslHandshake; {@link #classify} said AUTHENTICATE. */
    public Outcome<SaslHandshakeResponseData> handshake(SaslHandshakeRequestData request, short version) {
        SaslHandshakeResponseData r = new SaslHandshakeResponseData().setMechanisms(new ArrayList<>(enabled));
        String wanted = request.mechanism();
        boolean reauth = state == State.AUTHENTICATED;
        if (reauth && (version < 1 || !wanted.equals(mechanism))) {
            state = State.FAILED;
            return new Outcome<>(r.setErrorCode(Errors.ILLEGAL_SASL_STATE.code()), true);
        }
        if (!enabled.contains(wanted)) {
            state = State.FAILED;
            return new Outcome<>(r.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()), true);
        }
        exchange = mechanisms.start(wanted);
        mechanism = wanted;
        reauthenticating = reauth;
        state = version == 0 ? State.TOKENS_V0 : State.AUTHENTICATE_V1;
        return new Outcome<>(r.setErrorCode(Errors.NONE.code()), false);
    }

    /** Answers a SaslAuthenticate; {@link #classify} said AUTHENTICATE. */
    public Outcome<SaslAuthenticateResponseData> authenticate(SaslAuthenticateRequestData request, short version) {
        SaslAuthenticateResponseData r = new SaslAuthenticateResponseData().setAuthBytes(new byte[0]);
        try {
            byte[] answer = evaluate(request.authBytes());
            r.setAuthBytes(answer == null ? new byte[0] : answer);
            if (authenticated() && version >= 1 && maxReauthMs > 0) r.setSessionLifetimeMs(maxReauthMs);
            return new Outcome<>(r, false);
        } catch (SaslAuthenticationException e) {
            return new Outcome<>(
                    r.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage()), true);
        }
    }

    /** Takes a raw token (after SaslHandshake v0) and returns the raw answer; a refusal throws. */
    public byte[] rawToken(byte[] token) throws SaslAuthenticationException {
        byte[] answer = evaluate(token);
        return answer == null ? new byte[0] : answer;
    }

    private byte[] evaluate(byte[] token) throws SaslAuthenticationException {
        byte[] answer;
        try {
            answer = exchange.evaluate(token == null ? new byte[0] : token);
        } catch (SaslAuthenticationException e) {
            state = State.FAILED;
            throw e;
        } catch (RuntimeException e) {
            state = State.FAILED;
            log.warn("SASL {} exchange failed", mechanism, e);
            throw new SaslAuthenticationException("Authentication failed during the " + mechanism + " exchange");
        }
        if (exchange.complete()) {
            KafkaPrincipal who = exchange.principal();
            if (reauthenticating && !who.equals(principal)) {
                state = State.FAILED;
                throw new SaslAuthenticationException(
                        "Cannot change principals during re-authentication from " + principal + " to " + who);
            }
            principal = who;
            state = State.AUTHENTICATED;
            reauthenticating = false;
            exchange = null;
            expiresAt = maxReauthMs > 0 ? clock.getAsLong() + maxReauthMs : Long.MAX_VALUE;
        }
        return answer;
    }
}
