package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.sasl.ScramMechanism;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.SaslAuthenticateRequestData;
import dev.skiff.protocol.message.SaslAuthenticateResponseData;
import dev.skiff.protocol.message.SaslHandshakeRequestData;
import dev.skiff.protocol.message.SaslHandshakeResponseData;
import dev.skiff.server.EmbeddedSkiff;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile SCRAM clients over a raw socket, at each step of the exchange: malformed, non-ASCII, oversized (up to
 * the 512 KiB pre-authentication cap, which once overflowed the regex parser's stack) and empty client-first
 * messages, channel binding asked for, a foreign authorization id, the delegation-token
 * extension; after a good client-first, malformed client-final messages, a changed gs2 header, a nonce that is
 * not the server's (librdkafka 2.0.2's repeated client nonce among them), proofs of the wrong length, bad base64
 * and wrong proofs; exchanges left half done by the hundred. Each failure answers SASL_AUTHENTICATION_FAILED
 * with Kafka's message and closes, as Kafka does; a correct exchange on the same listener still completes (with
 * the server signature checked) and is served; plain-text clients are served and a restart loses nothing.
 */
class ScramExchangeHostileTest {

    private static final String FAILED =
            "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256";
    private static final ScramMechanism SHA256 = ScramMechanism.SCRAM_SHA_256;

    private EmbeddedSkiff broker;

    @BeforeEach
    void start() {
        broker = EmbeddedSkiff.builder()
                .listener("SCRAM", "SASL_PLAINTEXT")
                .property("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512")
                .property("skiff.sasl.users", "alice:secret")
                .start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void malformedClientFirstMessagesAreRefusedAndClosed() throws Exception {
        Survival survival = Survival.before(broker);
        List<byte[]> hostile = new ArrayList<>(List.of(
                bytes(""),
                bytes("garbage"),
                bytes("n,,n=alice"), // no nonce
                bytes("n,,r=abc,n=alice"), // attributes out of order
                bytes("p=tls-unique,,n=alice,r=abc"), // channel binding, which Kafka does not offer
                bytes("y,,n=alice,r=abc"),
                bytes("n,,n=al=ice,r=abc"), // '=' not escaped as =3D
                bytes("n,,n=alice,r=ab,c"), // a comma in the nonce makes a stray attribute
                bytes("n,,n=alice,r=abc,tokenauth=true"), // delegation tokens, which Skiff has not
                new byte[] {'n', ',', ',', 'n', '=', (byte) 0xC3, (byte) 0xA9, ',', 'r', '=', 'x'}, // not ASCII
                new byte[] {'n', ',', ',', 'n', '=', 'a', 0, 'b', ',', 'r', '=', 'x'}, // NUL in the name
                bytes("n,,n=" + "a".repeat(400 * 1024) + "="), // 400 KiB, then a bad escape
                bytes("n,,n=alice,r=abc" + ",e=x".repeat(100_000) + ","), // 100,000 extensions, then garbage
                bytes("n,," + "a=".repeat(200_000)))); // 400 KiB of empty authorization ids
        for (byte[] token : hostile) {
            try (Socket s = handshaken("SCRAM-SHA-256")) {
                SaslAuthenticateResponseData r = authenticate(s, 2, token);
                assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode(), () -> shown(token));
                assertEquals(FAILED, r.errorMessage(), () -> shown(token));
                assertTrue(closedByBroker(s), () -> "closed after " + shown(token));
            }
        }
        for (String huge : List.of( // well formed, only long: a server-first for an unknown user, as in Kafka
                "n,,n=" + "a".repeat(400 * 1024) + ",r=abc",
                "n,,n=" + "=2C".repeat(130_000) + ",r=abc",
                "n,,n=alice,r=abc" + ",e=x".repeat(100_000))) {
            try (Socket s = handshaken("SCRAM-SHA-256")) {
                SaslAuthenticateResponseData r = authenticate(s, 2, bytes(huge));
                assertEquals(0, r.errorCode(), r.errorMessage());
                assertTrue(new String(r.authBytes(), StandardCharsets.US_ASCII).startsWith("r=abc"));
            }
        }
        try (Socket s = handshaken("SCRAM-SHA-256")) { // another user's authorization id: Kafka's own message
            SaslAuthenticateResponseData r = authenticate(s, 2, bytes("n,a=bob,n=alice,r=abc"));
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
            assertEquals(
                    "Authentication failed: Client requested an authorization id that is different from username",
                    r.errorMessage());
            assertTrue(closedByBroker(s));
        }
        assertACorrectExchangeIsServed();
        survival.assertServedAndRestartsIntact();
    }

    @Test
    void malformedClientFinalMessagesAreRefusedAndClosed() throws Exception {
        Survival survival = Survival.before(broker);
        List<Function<Exchange, String>> hostile = List.of(
                x -> "",
                x -> "garbage",
                x -> x.withoutProof(), // no proof
                x -> x.withoutProof() + ",p=", // an empty proof
                x -> x.withoutProof() + ",p=!!!!", // not base64
                x -> x.withoutProof() + ",p=" + b64(new byte[31]), // a proof one byte short
                x -> x.withoutProof() + ",p=" + b64(new byte[4096]), // a proof far too long
                x -> x.withoutProof() + ",p=" + b64(new byte[32]), // the right length, the wrong proof
                x -> "c=" + b64(bytes("y,,")) + ",r=" + x.nonce + ",p="
                        + b64(x.proof("c=" + b64(bytes("y,,")), x.nonce)),
                x -> x.signed(x.clientNonce + x.nonce), // librdkafka 2.0.2: the client nonce twice
                x -> x.signed(x.nonce + "x"), // a nonce longer than the server's
                x -> x.signed(x.nonce.substring(0, x.nonce.length() - 1)), // a nonce shorter than the server's
                x -> x.signed(x.clientNonce), // the client's nonce alone
                x -> x.withoutProof() + ",p=" + b64(new byte[32]) + "x".repeat(400 * 1024), // 400 KiB after it
                x -> "c=biws,r=" + x.nonce + ",e=x".repeat(100_000) + ",p=" + b64(new byte[32]));
        int i = 0;
        for (Function<Exchange, String> attack : hostile) {
            int n = i++;
            try (Socket s = handshaken("SCRAM-SHA-256")) {
                Exchange x = Exchange.begin(s, "alice", "secret");
                SaslAuthenticateResponseData r = authenticate(s, 3, bytes(attack.apply(x)));
                assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode(), "attack " + n);
                assertEquals(FAILED, r.errorMessage(), "attack " + n);
                assertTrue(closedByBroker(s), "closed after attack " + n);
            }
        }
        try (Socket s = handshaken("SCRAM-SHA-256")) { // a wrong password: the same message, closed
            Exchange x = Exchange.begin(s, "alice", "not-secret");
            SaslAuthenticateResponseData r = authenticate(s, 3, bytes(x.signed(x.nonce)));
            assertEquals(FAILED, r.errorMessage());
            assertTrue(closedByBroker(s));
        }
        try (Socket s = handshaken("SCRAM-SHA-256")) { // an unknown user: the same message, closed
            Exchange x = Exchange.begin(s, "mallory", "secret");
            SaslAuthenticateResponseData r = authenticate(s, 3, bytes(x.signed(x.nonce)));
            assertEquals(FAILED, r.errorMessage());
            assertTrue(closedByBroker(s));
        }
        assertACorrectExchangeIsServed();
        survival.assertServedAndRestartsIntact();
    }

    @Test
    void exchangesLeftHalfDoneDoNotStopOthers() throws Exception {
        Survival survival = Survival.before(broker);
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) { // each waits for its client-final, which never comes
                Socket s = handshaken(i % 2 == 0 ? "SCRAM-SHA-256" : "SCRAM-SHA-512");
                authenticate(s, 2, bytes("n,,n=alice,r=half" + i));
                open.add(s);
            }
            assertACorrectExchangeIsServed();
            survival.assertServed();
        } finally {
            for (Socket s : open) s.close();
        }
        survival.assertServedAndRestartsIntact();
    }

    /** A real SCRAM-SHA-256 exchange over the raw socket: it completes, the server proves itself, Metadata is served. */
    private void assertACorrectExchangeIsServed() throws IOException {
        try (Socket s = handshaken("SCRAM-SHA-256")) {
            Exchange x = Exchange.begin(s, "alice", "secret");
            String clientFinal = x.signed(x.nonce);
            SaslAuthenticateResponseData r = authenticate(s, 3, bytes(clientFinal));
            assertEquals(0, r.errorCode(), r.errorMessage());
            String withoutProof = clientFinal.substring(0, clientFinal.lastIndexOf(",p="));
            byte[] authMessage = bytes(x.clientFirstBare + "," + x.serverFirst + "," + withoutProof);
            byte[] serverKey = SHA256.hmac(x.saltedPassword, bytes("Server Key"));
            assertEquals(
                    "v=" + b64(SHA256.hmac(serverKey, authMessage)),
                    new String(r.authBytes(), StandardCharsets.US_ASCII));
            send(s, RequestFrames.frame(ApiKeys.METADATA, (short) 9, 4, new MetadataRequestData()));
            assertTrue(answer(s, 4).length > 0, "authenticated, the client is served");
        }
    }

    /** The client's side of one SCRAM-SHA-256 exchange, up to the server-first message. */
    private static final class Exchange {
        final String clientNonce = "hostile" + System.nanoTime();
        final String clientFirstBare;
        String serverFirst;
        String nonce;
        byte[] saltedPassword;

        private Exchange(String user) {
            clientFirstBare = "n=" + user + ",r=" + clientNonce;
        }

        static Exchange begin(Socket s, String user, String password) throws IOException {
            Exchange x = new Exchange(user);
            SaslAuthenticateResponseData r = authenticate(s, 2, bytes("n,," + x.clientFirstBare));
            assertEquals(0, r.errorCode(), r.errorMessage());
            x.serverFirst = new String(r.authBytes(), StandardCharsets.US_ASCII);
            String[] parts = x.serverFirst.split(",");
            x.nonce = parts[0].substring(2);
            assertTrue(x.nonce.startsWith(x.clientNonce) && x.nonce.length() > x.clientNonce.length(), x.serverFirst);
            byte[] salt = Base64.getDecoder().decode(parts[1].substring(2));
            int iterations = Integer.parseInt(parts[2].substring(2));
            x.saltedPassword = SHA256.saltedPassword(password, salt, iterations);
            return x;
        }

        String withoutProof() {
            return "c=biws,r=" + nonce;
        }

        /** A client-final with this nonce and the proof this password makes for it. */
        String signed(String withNonce) {
            return "c=biws,r=" + withNonce + ",p=" + b64(proof("c=biws", withNonce));
        }

        byte[] proof(String channel, String withNonce) {
            byte[] clientKey = SHA256.hmac(saltedPassword, bytes("Client Key"));
            byte[] storedKey = SHA256.hash(clientKey);
            byte[] authMessage = bytes(clientFirstBare + "," + serverFirst + "," + channel + ",r=" + withNonce);
            byte[] signature = SHA256.hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
            return proof;
        }
    }

    private Socket handshaken(String mechanism) throws IOException {
        String hostPort = broker.bootstrapServers("SCRAM");
        Socket s = new Socket(
                InetAddress.getLoopbackAddress(), Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
        s.setSoTimeout(15_000);
        send(
                s,
                RequestFrames.frame(
                        ApiKeys.SASL_HANDSHAKE, (short) 1, 1, new SaslHandshakeRequestData().setMechanism(mechanism)));
        SaslHandshakeResponseData r = new SaslHandshakeResponseData(Unpooled.wrappedBuffer(answer(s, 1)), (short) 1);
        assertEquals(0, r.errorCode());
        return s;
    }

    /** SaslAuthenticate v1 (response header v0, session_lifetime_ms in the answer). */
    private static SaslAuthenticateResponseData authenticate(Socket s, int correlationId, byte[] token)
            throws IOException {
        send(
                s,
                RequestFrames.frame(
                        ApiKeys.SASL_AUTHENTICATE,
                        (short) 1,
                        correlationId,
                        new SaslAuthenticateRequestData().setAuthBytes(token)));
        return new SaslAuthenticateResponseData(Unpooled.wrappedBuffer(answer(s, correlationId)), (short) 1);
    }

    private static void send(Socket s, byte[] bytes) throws IOException {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    /** The body of the next answer (response header v0), checking its correlation id. */
    private static byte[] answer(Socket s, int correlationId) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int size = in.readInt();
        assertEquals(correlationId, in.readInt());
        return in.readNBytes(size - 4);
    }

    private static boolean closedByBroker(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String shown(byte[] token) {
        String s = new String(token, StandardCharsets.ISO_8859_1);
        return s.length() > 60 ? s.substring(0, 60) + "... (" + token.length + " bytes)" : s;
    }
}
