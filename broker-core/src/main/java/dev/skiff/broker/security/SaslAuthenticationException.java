package dev.skiff.broker.security;

/** A SASL exchange refused the client: wrong password, unknown user, a malformed or replayed message. */
public final class SaslAuthenticationException extends Exception {
    public SaslAuthenticationException(String message) {
        super(message);
    }
}
