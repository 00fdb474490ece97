package dev.skiff.broker.security.sasl;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.broker.security.SaslExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * The server side of SASL/PLAIN (RFC 4616) as Kafka's {@code PlainSaslServer} runs it: one message
 * {@code authzid NUL authcid NUL passwd}, UTF-8; the authzid must be empty or equal to the authcid; the answer is
 * empty and the exchange is complete. Kafka's messages: a missing name or password is named, a wrong password and
 * an unknown user get the same "Invalid username or password". Passwords are compared in constant time, through
 * their SHA-256 so that neither length nor existence shows in the time taken.
 */
public final class PlainExchange implements SaslExchange {

    private static final byte[] NO_USER = sha256("\0skiff-no-such-user\0".getBytes(StandardCharsets.UTF_8));

    private final Map<String, String> users;
    private boolean done;
    private boolean failed;
    private KafkaPrincipal principal;

    /** @param users PLAIN users and their passwords (from the JAAS config or skiff.sasl.users) */
    public PlainExchange(Map<String, String> users) {
        this.users = users;
    }

    @Override
    public byte[] evaluate(byte[] clientToken) throws SaslAuthenticationException {
        if (done || failed) {
            failed = true;
            throw new SaslAuthenticationException(
                    "Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN");
        }
        failed = true; // until proven otherwise
        String response = new String(clientToken, StandardCharsets.UTF_8);
        String[] tokens = response.split("\u0000", -1);
        if (tokens.length != 3)
            throw new SaslAuthenticationException(
                    "Invalid SASL/PLAIN response: expected 3 tokens, got " + tokens.length);
        String authzid = tokens[0];
        String username = tokens[1];
        String password = tokens[2];
        if (username.isEmpty()) throw new SaslAuthenticationException("Authentication failed: username not specified");
        if (password.isEmpty()) throw new SaslAuthenticationException("Authentication failed: password not specified");
        String expected = users.get(username);
        byte[] want = expected == null ? NO_USER : sha256(expected.getBytes(StandardCharsets.UTF_8));
        boolean match = MessageDigest.isEqual(want, sha256(password.getBytes(StandardCharsets.UTF_8)));
        if (!match || expected == null)
            throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
        if (!authzid.isEmpty() && !authzid.equals(username))
            throw new SaslAuthenticationException(
                    "Authentication failed: Client requested an authorization id that is different from username");
        principal = KafkaPrincipal.user(username);
        failed = false;
        done = true;
        return new byte[0];
    }

    @Override
    public boolean complete() {
        return done;
    }

    @Override
    public KafkaPrincipal principal() {
        if (!done) throw new IllegalStateException("Authentication exchange has not completed");
        return principal;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
