package dev.skiff.broker.security.sasl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.broker.security.SaslAuthenticationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslClient;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SCRAM server side against RFC 7677's vector and against Kafka's own client, ScramSaslClient. */
class ScramExchangeTest {

    private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static ScramCredentialLookup users(ScramMechanism mech, String user, String password, int iterations) {
        ScramCredential c = mech.credential(password, SALT, iterations);
        return (u, m) -> u.equals(user) && m == mech ? c : null;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void rfc7677TestVector() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramCredential c = mech.credential("pencil", salt, 4096);
        ScramExchange server = new ScramExchange(
                mech, (u, m) -> u.equals("user") ? c : null, 4096, () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        byte[] serverFirst = server.evaluate(ascii("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        assertEquals(
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                ascii(serverFirst));
        byte[] serverFinal = server.evaluate(ascii("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", ascii(serverFinal));
        assertTrue(server.complete());
        assertEquals(KafkaPrincipal.user("user"), server.principal());
    }

    /** Kafka's client side, as kafka-clients runs it for sasl.mechanism=SCRAM-SHA-*. */
    static SaslClient kafkaClient(ScramMechanism mech, String user, String password) throws Exception {
        CallbackHandler handler = callbacks -> {
            for (Callback cb : callbacks) {
                if (cb instanceof NameCallback n) n.setName(user);
                else if (cb instanceof PasswordCallback p) p.setPassword(password.toCharArray());
                else if (cb instanceof ScramExtensionsCallback) {
                    // no extensions
                } else throw new UnsupportedCallbackException(cb);
            }
        };
        return new ScramSaslClient(
                org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(mech.mechanismName()),
                handler);
    }

    /** Runs a whole exchange; returns the server, complete or not; throws what the server or client throws. */
    static ScramExchange run(ScramExchange server, SaslClient client) throws Exception {
        byte[] clientFirst = client.evaluateChallenge(new byte[0]);
        byte[] serverFirst = server.evaluate(clientFirst);
        byte[] clientFinal = client.evaluateChallenge(serverFirst);
        byte[] serverFinal = server.evaluate(clientFinal);
        client.evaluateChallenge(serverFinal); // checks the server signature
        assertTrue(client.isComplete());
        return server;
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void kafkaClientAuthenticates(ScramMechanism mech) throws Exception {
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "alice-secret", 4096), 4096);
        run(server, kafkaClient(mech, "alice", "alice-secret"));
        assertTrue(server.complete());
        assertEquals(KafkaPrincipal.user("alice"), server.principal());
    }

    @Test
    void namesWithCommasAndEqualsAreEscapedAndUnderstood() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_512;
        ScramExchange server = new ScramExchange(mech, users(mech, "a,b=c", "pw", 8192), 4096);
        run(server, kafkaClient(mech, "a,b=c", "pw"));
        assertEquals("a,b=c", server.principal().name());
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void wrongPasswordAndUnknownUserFailAlike(ScramMechanism mech) throws Exception {
        ScramCredentialLookup users = users(mech, "alice", "alice-secret", 4096);
        SaslAuthenticationException wrong = assertThrows(
                SaslAuthenticationException.class,
                () -> run(new ScramExchange(mech, users, 4096), kafkaClient(mech, "alice", "nope")));
        ScramExchange unknownServer = new ScramExchange(mech, users, 4096);
        SaslClient unknownClient = kafkaClient(mech, "mallory", "nope");
        byte[] serverFirst = unknownServer.evaluate(unknownClient.evaluateChallenge(new byte[0]));
        // an unknown user is told a salt and the broker's iterations, like a known one
        assertTrue(ascii(serverFirst).matches("r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096"), ascii(serverFirst));
        SaslAuthenticationException unknown = assertThrows(
                SaslAuthenticationException.class,
                () -> unknownServer.evaluate(unknownClient.evaluateChallenge(serverFirst)));
        assertEquals(wrong.getMessage(), unknown.getMessage());
        assertEquals(
                "Authentication failed during authentication due to invalid credentials with SASL mechanism "
                        + mech.mechanismName(),
                wrong.getMessage());
        // the same unknown name gets the same salt each time
        String again = ascii(new ScramExchange(mech, users, 4096).evaluate(ascii("n,,n=mallory,r=abc")));
        assertEquals(salt(ascii(serverFirst)), salt(again));
    }

    private static String salt(String serverFirst) {
        return serverFirst.replaceAll(".*,s=([^,]+),.*", "$1");
    }

    @Test
    void aCompletedOrFailedExchangeTakesNothingMore() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        SaslClient client = kafkaClient(mech, "alice", "pw");
        byte[] clientFirst = client.evaluateChallenge(new byte[0]);
        byte[] clientFinal = client.evaluateChallenge(server.evaluate(clientFirst));
        server.evaluate(clientFinal);
        assertTrue(server.complete());
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(clientFinal));
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(clientFirst));

        ScramExchange failed = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        assertThrows(SaslAuthenticationException.class, () -> failed.evaluate(ascii("garbage")));
        assertThrows(SaslAuthenticationException.class, () -> failed.evaluate(clientFirst));
        assertFalse(failed.complete());
        assertThrows(IllegalStateException.class, failed::principal);
    }

    @Test
    void aClientFinalReplayedIntoAnotherExchangeIsRefused() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramCredentialLookup users = users(mech, "alice", "pw", 4096);
        ScramExchange first = new ScramExchange(mech, users, 4096);
        SaslClient client = kafkaClient(mech, "alice", "pw");
        byte[] clientFirst = client.evaluateChallenge(new byte[0]);
        byte[] clientFinal = client.evaluateChallenge(first.evaluate(clientFirst));
        ScramExchange second = new ScramExchange(mech, users, 4096);
        second.evaluate(clientFirst); // same client-first, a new server nonce
        assertThrows(SaslAuthenticationException.class, () -> second.evaluate(clientFinal));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "n=alice,r=abc",
                "y,,n=alice,r=abc",
                "p=tls-server-end-point,,n=alice,r=abc",
                "n,,n=alice",
                "n,,n=,r=abc",
                "n,,r=abc,n=alice",
                "n,,n=al=ice,r=abc",
                "n,,n=alice,r=a,c",
                "n,,m=ext,n=alice,r=abc",
                "n,,n=alice,r=abc,tokenauth=true",
                "n,,n=ali\u00e9e,r=abc",
            })
    void garbledOrRefusedClientFirstFails(String clientFirst) {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        SaslAuthenticationException e = assertThrows(
                SaslAuthenticationException.class, () -> server.evaluate(clientFirst.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("Authentication failed"), e.getMessage());
    }

    @Test
    void anAuthzidOtherThanTheUserIsRefusedWithKafkasMessage() {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        SaslAuthenticationException e =
                assertThrows(SaslAuthenticationException.class, () -> server.evaluate(ascii("n,a=bob,n=alice,r=abc")));
        assertEquals(
                "Authentication failed: Client requested an authorization id that is different from username",
                e.getMessage());
    }

    @Test
    void anAuthzidEqualToTheUserIsAccepted() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        String serverFirst = ascii(server.evaluate(ascii("n,a=alice,n=alice,r=abc")));
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(ascii("n,a=alice,")) + ",r=" + nonce;
        String proof = proof(mech, "pw", "n=alice,r=abc", serverFirst, withoutProof);
        server.evaluate(ascii(withoutProof + ",p=" + proof));
        assertTrue(server.complete());
    }

    /**
     * librdkafka before 2.6.1 (Debian's 2.0.2) sends its own nonce again in front of the server's in the
     * client-final message, with a proof computed over that message. Kafka 4.x refuses it, and so does Skiff.
     */
    @Test
    void librdkafka202RepeatedClientNonceIsRefused() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
        String serverFirst = ascii(server.evaluate(ascii("n,,n=alice,r=" + clientNonce)));
        String serverNonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String withoutProof = "c=biws,r=" + clientNonce + serverNonce;
        String proof = proof(mech, "pw", "n=alice,r=" + clientNonce, serverFirst, withoutProof);
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(ascii(withoutProof + ",p=" + proof)));
        assertFalse(server.complete());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "c=eSws,r=NONCE,p=PROOF", // channel binding "y,," instead of "n,,"
                "c=biws,r=NONCE", // no proof
                "c=biws,r=NONCEx,p=PROOF", // a nonce that extends the server's
                "c=biws,r=NONCE,p=AAAA", // proof of the wrong length
                "c=biws,r=NONCE,p=%%%%", // not base64
                "r=NONCE,c=biws,p=PROOF",
            })
    void garbledClientFinalFails(String template) throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramExchange server = new ScramExchange(mech, users(mech, "alice", "pw", 4096), 4096);
        String serverFirst = ascii(server.evaluate(ascii("n,,n=alice,r=abc")));
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String proof = proof(mech, "pw", "n=alice,r=abc", serverFirst, "c=biws,r=" + nonce);
        String clientFinal = template.replace("NONCE", nonce).replace("PROOF", proof);
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(ascii(clientFinal)));
    }

    /**
     * Tokens of hundreds of KiB (the pre-authentication frame cap is 512 KiB) are parsed without recursion: long
     * names made of escapes and thousands of extensions are understood, long garbage is refused; neither
     * overflows the stack.
     */
    @Test
    void hugeTokensAreParsedWithoutOverflowingTheStack() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramCredentialLookup users = users(mech, "alice", "pw", 4096);
        String escapes = "n,,n=" + "=2C".repeat(130_000) + ",r=abc";
        assertTrue(ascii(new ScramExchange(mech, users, 4096).evaluate(ascii(escapes)))
                .startsWith("r=abc"));
        String extensions = "n,,n=alice,r=abc" + ",e=x".repeat(100_000);
        assertTrue(ascii(new ScramExchange(mech, users, 4096).evaluate(ascii(extensions)))
                .startsWith("r=abc"));
        for (String garbage : List.of(
                "n,,n=" + "a".repeat(400_000) + "=",
                "n,,n=alice,r=abc" + ",e=x".repeat(100_000) + ",",
                "n,," + "a=".repeat(200_000))) {
            assertThrows(
                    SaslAuthenticationException.class,
                    () -> new ScramExchange(mech, users, 4096).evaluate(ascii(garbage)));
        }

        ScramExchange server = new ScramExchange(mech, users, 4096);
        String serverFirst = ascii(server.evaluate(ascii("n,,n=alice,r=abc")));
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String proof = proof(mech, "pw", "n=alice,r=abc", serverFirst, "c=biws,r=" + nonce);
        for (String clientFinal : List.of(
                "c=" + "biws".repeat(100_000) + ",r=" + nonce + ",p=" + proof,
                "c=biws,r=" + nonce + ",e=x".repeat(100_000) + ",p=" + proof,
                "c=biws,r=" + nonce + ",p=" + "AAAA".repeat(100_000))) {
            ScramExchange again = new ScramExchange(mech, users, 4096);
            String first = ascii(again.evaluate(ascii("n,,n=alice,r=abc")));
            String n = first.substring(2, first.indexOf(','));
            assertThrows(SaslAuthenticationException.class, () -> again.evaluate(ascii(clientFinal.replace(nonce, n))));
        }
        // extensions between nonce and proof are part of the signed message, as in RFC 5802
        String withExtensions = "c=biws,r=" + nonce + ",e=x".repeat(10_000);
        server.evaluate(
                ascii(withExtensions + ",p=" + proof(mech, "pw", "n=alice,r=abc", serverFirst, withExtensions)));
        assertTrue(server.complete());
    }

    @Test
    void credentialsBelowKafkasMinimumIterationsAreRefused() throws Exception {
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        ScramCredential weak = mech.credential("pw", SALT, 1000);
        ScramExchange server = new ScramExchange(mech, (u, m) -> weak, 4096);
        assertThrows(SaslAuthenticationException.class, () -> server.evaluate(ascii("n,,n=alice,r=abc")));
    }

    @Test
    void credentialsKeepNoPassword() {
        ScramCredential c = ScramMechanism.SCRAM_SHA_512.credential("pw", SALT, 4096);
        assertEquals(64, c.storedKey().length);
        assertEquals(64, c.serverKey().length);
        assertArrayEquals(SALT, c.salt());
        assertFalse(c.toString().contains("pw"));
    }

    /** A client proof computed as RFC 5802 says, for crafting client-final messages by hand. */
    static String proof(
            ScramMechanism mech, String password, String clientFirstBare, String serverFirst, String withoutProof) {
        String s = serverFirst.replaceAll(".*,s=([^,]+),.*", "$1");
        int i = Integer.parseInt(serverFirst.replaceAll(".*,i=(\\d+).*", "$1"));
        byte[] salted = mech.saltedPassword(password, Base64.getDecoder().decode(s), i);
        byte[] clientKey = mech.hmac(salted, ascii("Client Key"));
        byte[] storedKey = mech.hash(clientKey);
        byte[] sig = mech.hmac(storedKey, ascii(clientFirstBare + "," + serverFirst + "," + withoutProof));
        byte[] p = new byte[clientKey.length];
        for (int k = 0; k < p.length; k++) p[k] = (byte) (clientKey[k] ^ sig[k]);
        return Base64.getEncoder().encodeToString(p);
    }
}
