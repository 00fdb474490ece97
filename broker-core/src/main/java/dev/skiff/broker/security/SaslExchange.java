package dev.skiff.broker.security;

/**
 * The server side of one SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512): the connection hands it
 * each token the client sends (SaslAuthenticate's auth_bytes, or a raw frame for SaslHandshake v0) and sends
 * back what it answers, until {@link #complete()}. A refused attempt throws
 * {@link SaslAuthenticationException}; the connection then answers SASL_AUTHENTICATION_FAILED and closes.
 */
public interface SaslExchange {

    /** Takes the client's next token and returns the server's answer (empty when there is nothing to say). */
    byte[] evaluate(byte[] clientToken) throws SaslAuthenticationException;

    boolean complete();

    /** Who authenticated; only after {@link #complete()}. */
    KafkaPrincipal principal();
}
