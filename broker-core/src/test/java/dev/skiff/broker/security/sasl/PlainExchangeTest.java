package dev.skiff.broker.security.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import org.junit.jupiter.api.Test;

/** SASL/PLAIN against the JDK's PLAIN client, the one kafka-clients uses, and Kafka's refusals. */
class PlainExchangeTest {

    private final Map<String, String> users = Map.of("alice", "alice-secret", "bob", "pw");

    private static byte[] jdkClientFirst(String authzid, String user, String password) throws Exception {
        SaslClient client =
                Sasl.createSaslClient(new String[] {"PLAIN"}, authzid, "kafka", "localhost", Map.of(), callbacks -> {
                    for (Callback cb : callbacks) {
                        if (cb instanceof NameCallback n) n.setName(user);
                        else if (cb instanceof PasswordCallback p) p.setPassword(password.toCharArray());
                        else throw new UnsupportedCallbackException(cb);
                    }
                });
        return client.evaluateChallenge(new byte[0]);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theJdkClientAuthenticates() throws Exception {
        PlainExchange server = new PlainExchange(users);
        assertEquals(0, server.evaluate(jdkClientFirst(null, "alice", "alice-secret")).length);
        assertTrue(server.complete());
        assertEquals(KafkaPrincipal.user("alice"), server.principal());
    }

    @Test
    void anAuthzidEqualToTheUserIsAccepted() throws Exception {
        PlainExchange server = new PlainExchange(users);
        server.evaluate(jdkClientFirst("bob", "bob", "pw"));
        assertEquals("bob", server.principal().name());
    }

    @Test
    void wrongPasswordAndUnknownUserFailAlike() throws Exception {
        SaslAuthenticationException wrong = assertThrows(
                SaslAuthenticationException.class,
                () -> new PlainExchange(users).evaluate(jdkClientFirst(null, "alice", "nope")));
        SaslAuthenticationException unknown = assertThrows(
                SaslAuthenticationException.class,
                () -> new PlainExchange(users).evaluate(jdkClientFirst(null, "mallory", "alice-secret")));
        assertEquals("Authentication failed: Invalid username or password", wrong.getMessage());
        assertEquals(wrong.getMessage(), unknown.getMessage());
        // a password that is the prefix of the real one
        assertThrows(
                SaslAuthenticationException.class, () -> new PlainExchange(users).evaluate(utf8("\0alice\0alice")));
    }

    @Test
    void kafkasRefusals() {
        assertEquals(
                "Authentication failed: Client requested an authorization id that is different from username",
                assertThrows(
                                SaslAuthenticationException.class,
                                () -> new PlainExchange(users).evaluate(utf8("bob\0alice\0alice-secret")))
                        .getMessage());
        assertEquals(
                "Authentication failed: username not specified",
                assertThrows(SaslAuthenticationException.class, () -> new PlainExchange(users).evaluate(utf8("\0\0pw")))
                        .getMessage());
        assertEquals(
                "Authentication failed: password not specified",
                assertThrows(
                                SaslAuthenticationException.class,
                                () -> new PlainExchange(users).evaluate(utf8("\0alice\0")))
                        .getMessage());
        assertEquals(
                "Invalid SASL/PLAIN response: expected 3 tokens, got 2",
                assertThrows(
                                SaslAuthenticationException.class,
                                () -> new PlainExchange(users).evaluate(utf8("alice\0alice-secret")))
                        .getMessage());
        assertEquals(
                "Invalid SASL/PLAIN response: expected 3 tokens, got 4",
                assertThrows(
                                SaslAuthenticationException.class,
                                () -> new PlainExchange(users).evaluate(utf8("\0alice\0alice-secret\0")))
                        .getMessage());
    }

    @Test
    void aSecondMessageIsRefused() throws Exception {
        PlainExchange server = new PlainExchange(users);
        byte[] token = jdkClientFirst(null, "alice", "alice-secret");
        server.evaluate(token);
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(token));

        PlainExchange failed = new PlainExchange(users);
        assertThrows(SaslAuthenticationException.class, () -> failed.evaluate(utf8("garbage")));
        assertThrows(SaslAuthenticationException.class, () -> failed.evaluate(token));
        assertFalse(failed.complete());
        assertThrows(IllegalStateException.class, failed::principal);
    }
}
