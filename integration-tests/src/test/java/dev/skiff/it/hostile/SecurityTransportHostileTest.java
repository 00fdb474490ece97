package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients of the SASL and TLS listeners, over raw sockets: requests before authentication,
 * SaslAuthenticate without a handshake, oversized frames before authentication, unknown mechanisms, wrong
 * passwords, handshake floods, garbage before a TLS handshake and TLS handshakes left half done. Each is
 * closed (after Kafka's error answer where Kafka gives one); plain-text clients are still served and a
 * restart loses nothing.
 */
class SecurityTransportHostileTest {

    private EmbeddedSkiff broker;

    @BeforeEach
    void start() {
        broker = EmbeddedSkiff.builder()
                .listener("SECURE", "SASL_PLAINTEXT")
                .listener("TLS", "SSL")
                .property("sasl.enabled.mechanisms", "PLAIN")
                .property("skiff.sasl.users", "alice:secret")
                .start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void theSaslGateClosesWhatComesOutOfOrder() throws Exception {
        Survival survival = Survival.before(broker);

        try (Socket s = connect("SECURE")) { // a request before authentication
            send(s, RequestFrames.frame(ApiKeys.METADATA, (short) 9, 1, new MetadataRequestData()));
            assertTrue(closedByBroker(s), "Metadata before authentication closes the connection");
        }
        try (Socket s = connect("SECURE")) { // SaslAuthenticate without a handshake
            send(s, authenticate(1, "\0alice\0secret"));
            assertTrue(closedByBroker(s), "SaslAuthenticate without a handshake closes the connection");
        }
        try (Socket s = connect("SECURE")) { // a frame bigger than the pre-authentication cap
            send(s, ByteBuffer.allocate(8).putInt(600 * 1024).putInt(0).array());
            assertTrue(closedByBroker(s), "a 600 KiB frame before authentication closes at once");
        }
        try (Socket s = connect("SECURE")) { // a mechanism not enabled
            send(s, handshake(1, (short) 1, "GSSAPI"));
            SaslHandshakeResponseData r =
                    new SaslHandshakeResponseData(Unpooled.wrappedBuffer(answer(s, 1)), (short) 1);
            assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), r.errorCode());
            assertEquals(List.of("PLAIN"), r.mechanisms());
            assertTrue(closedByBroker(s));
        }
        try (Socket s = connect("SECURE")) { // a wrong password
            send(s, handshake(1, (short) 1, "PLAIN"));
            assertEquals(0, new SaslHandshakeResponseData(Unpooled.wrappedBuffer(answer(s, 1)), (short) 1).errorCode());
            send(s, authenticate(2, "\0alice\0wrong"));
            SaslAuthenticateResponseData r =
                    new SaslAuthenticateResponseData(Unpooled.wrappedBuffer(answer(s, 2)), (short) 1);
            assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), r.errorCode());
            assertTrue(r.errorMessage().contains("Invalid username or password"), r.errorMessage());
            assertTrue(closedByBroker(s), "a failed authentication closes the connection");
        }
        try (Socket s = connect("SECURE")) { // v0: raw tokens, then served
            send(s, handshake(1, (short) 0, "PLAIN"));
            assertEquals(0, new SaslHandshakeResponseData(Unpooled.wrappedBuffer(answer(s, 1)), (short) 0).errorCode());
            byte[] token = "\0alice\0secret".getBytes(StandardCharsets.UTF_8);
            send(
                    s,
                    ByteBuffer.allocate(4 + token.length)
                            .putInt(token.length)
                            .put(token)
                            .array());
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertArrayEquals(new byte[0], in.readNBytes(in.readInt()), "PLAIN answers an empty token");
            send(s, RequestFrames.frame(ApiKeys.METADATA, (short) 9, 2, new MetadataRequestData()));
            assertTrue(answer(s, 2).length > 0, "authenticated over v0, the client is served");
        }
        try (Socket s = connect("SECURE")) { // a second handshake after authenticating with another mechanism
            send(s, handshake(1, (short) 1, "PLAIN"));
            answer(s, 1);
            send(s, authenticate(2, "\0alice\0secret"));
            assertEquals(
                    0, new SaslAuthenticateResponseData(Unpooled.wrappedBuffer(answer(s, 2)), (short) 1).errorCode());
            send(s, handshake(3, (short) 1, "SCRAM-SHA-256"));
            SaslHandshakeResponseData r =
                    new SaslHandshakeResponseData(Unpooled.wrappedBuffer(answer(s, 3)), (short) 1);
            assertEquals(Errors.ILLEGAL_SASL_STATE.code(), r.errorCode());
            assertTrue(closedByBroker(s));
        }
        survival.assertServedAndRestartsIntact();
    }

    @Test
    void tlsListenersSurviveGarbageHalfHandshakesAndFloods() throws Exception {
        Survival survival = Survival.before(broker);
        try (Socket s = connect("TLS")) { // not TLS at all
            send(s, RequestFrames.frame(ApiKeys.METADATA, (short) 9, 1, new MetadataRequestData()));
            assertTrue(closedByBroker(s), "plain text on a TLS listener closes the connection");
        }
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) { // TLS records begun and never finished
                Socket s = connect("TLS");
                send(s, new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                open.add(s);
            }
            for (int i = 0; i < 50; i++) { // a flood of handshakes left waiting for their token
                Socket s = connect("SECURE");
                send(s, handshake(1, (short) 1, "PLAIN"));
                answer(s, 1);
                open.add(s);
            }
            survival.assertServed(); // while they hang
        } finally {
            for (Socket s : open) s.close();
        }
        survival.assertServedAndRestartsIntact();
    }

    private Socket connect(String listener) throws IOException {
        String hostPort = broker.bootstrapServers(listener);
        Socket s = new Socket(
                InetAddress.getLoopbackAddress(), Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)));
        s.setSoTimeout(15_000);
        return s;
    }

    private static void send(Socket s, byte[] bytes) throws IOException {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
    }

    private static byte[] handshake(int correlationId, short version, String mechanism) {
        return RequestFrames.frame(
                ApiKeys.SASL_HANDSHAKE, version, correlationId, new SaslHandshakeRequestData().setMechanism(mechanism));
    }

    /** SaslAuthenticate v1 (response header v0, session_lifetime_ms in the answer). */
    private static byte[] authenticate(int correlationId, String token) {
        return RequestFrames.frame(
                ApiKeys.SASL_AUTHENTICATE,
                (short) 1,
                correlationId,
                new SaslAuthenticateRequestData().setAuthBytes(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** The body of the next answer (response header v0), checking its correlation id. */
    private static byte[] answer(Socket s, int correlationId) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int size = in.readInt();
        assertEquals(correlationId, in.readInt());
        return in.readNBytes(size - 4);
    }

    private static boolean closedByBroker(Socket s) throws IOException {
        s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
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
}
