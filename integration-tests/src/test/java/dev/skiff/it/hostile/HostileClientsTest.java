package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.it.durability.LogCapture;
import dev.skiff.server.EmbeddedSkiff;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Clients that misbehave on purpose, over raw sockets: too many connections from one address, pipelining far
 * past the in-flight limit, a slow-loris sender, crowds of idle connections, oversized and nonsense frames.
 * Each is refused with a closed connection and a logged reason (or, for pipelining, slowed down, never
 * dropped), and a well-behaved client on another connection is served throughout.
 */
class HostileClientsTest {

    private static final String SERVER_LOGS = "dev.skiff.server";

    private static EmbeddedSkiff broker(Map<String, String> props) {
        return EmbeddedSkiff.builder().properties(props).start();
    }

    /** An ApiVersions v0 request frame (size prefix included). */
    static byte[] apiVersions(int correlationId) {
        byte[] client = "hostile".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 10 + client.length);
        b.putInt(10 + client.length)
                .putShort((short) 18)
                .putShort((short) 0)
                .putInt(correlationId)
                .putShort((short) client.length)
                .put(client);
        return b.array();
    }

    private static Socket connect(EmbeddedSkiff broker) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port());
        s.setSoTimeout(15_000);
        return s;
    }

    /** Sends one ApiVersions request and returns the correlation id of the answer. */
    static int roundTrip(Socket s, int correlationId) throws IOException {
        s.getOutputStream().write(apiVersions(correlationId));
        s.getOutputStream().flush();
        return readAnswer(new DataInputStream(s.getInputStream()));
    }

    private static int readAnswer(DataInputStream in) throws IOException {
        int size = in.readInt();
        int correlationId = in.readInt();
        in.readFully(new byte[size - 4]);
        return correlationId;
    }

    /** True once the broker has closed the socket (end of stream or reset), within the deadline. */
    private static boolean closedByBroker(Socket s, Duration within) throws IOException {
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    @Test
    void connectionsPerIpAreCapped() throws Exception {
        try (LogCapture logs = new LogCapture(SERVER_LOGS);
                EmbeddedSkiff broker = broker(Map.of("max.connections.per.ip", "3"))) {
            List<Socket> allowed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                allowed.add(connect(broker));
                assertEquals(i, roundTrip(allowed.get(i), i));
            }
            try (Socket extra = connect(broker)) {
                assertTrue(closedByBroker(extra, Duration.ofSeconds(10)), "the fourth connection is closed");
            }
            assertTrue(logs.contains("max.connections.per.ip=3"), "reason logged: " + logs.messages());
            for (int i = 0; i < 3; i++)
                assertEquals(100 + i, roundTrip(allowed.get(i), 100 + i), "the others still work");
            allowed.remove(0).close();
            // the freed slot is given back once the broker has seen the close
            Poll.until(
                    Duration.ofSeconds(10),
                    "a connection accepted again",
                    () -> {
                        try (Socket again = connect(broker)) {
                            return roundTrip(again, 7);
                        }
                    },
                    id -> id == 7);
            for (Socket s : allowed) s.close();
        }
    }

    @Test
    void pipeliningPastTheInFlightLimitIsSlowedNotDropped() throws Exception {
        int requests = 2000;
        try (EmbeddedSkiff broker = broker(Map.of("skiff.max.inflight.requests.per.connection", "2"));
                Socket s = connect(broker);
                Socket other = connect(broker)) {
            // every request in one burst, without reading an answer, from a thread (the socket buffers fill)
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer all = ByteBuffer.allocate(requests * apiVersions(0).length);
                    for (int i = 0; i < requests; i++) all.put(apiVersions(i));
                    s.getOutputStream().write(all.array());
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(1, roundTrip(other, 1), "another connection is served meanwhile");
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < requests; i++) assertEquals(i, readAnswer(in), "answers in request order, none lost");
            writer.get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void slowLorisIsCutOffAndOthersAreServed() throws Exception {
        try (LogCapture logs = new LogCapture(SERVER_LOGS);
                EmbeddedSkiff broker = broker(Map.of("skiff.request.read.timeout.ms", "1000"));
                Socket loris = connect(broker);
                Socket good = connect(broker)) {
            AtomicBoolean cut = new AtomicBoolean();
            // a 1000-byte request announced, then trickled a byte at a time: it never completes
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = loris.getOutputStream();
                    out.write(new byte[] {0, 0, 3, (byte) 0xe8});
                    for (int i = 0; i < 200 && !cut.get(); i++) {
                        out.write(0);
                        out.flush();
                        Thread.sleep(50); // the pace of the attack, not a wait for a result
                    }
                } catch (IOException | InterruptedException e) {
                    cut.set(true);
                }
            });
            long start = System.nanoTime();
            int served = 0;
            boolean closed = false;
            while (!closed && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                long t = System.nanoTime();
                assertEquals(served, roundTrip(good, served));
                // generous for a loaded 2-core machine; a broker held up by the trickle would not answer at all
                assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(5), "a good client is answered promptly");
                served++;
                closed = closedByBroker(loris, Duration.ofMillis(100));
            }
            cut.set(true);
            trickle.get(10, TimeUnit.SECONDS);
            assertTrue(closed, "the slow sender is disconnected");
            assertTrue(served > 0);
            assertTrue(logs.contains("skiff.request.read.timeout.ms"), "reason logged: " + logs.messages());
        }
    }

    @Test
    void idleConnectionsAreClosedAndDoNotStallOthers() throws Exception {
        try (LogCapture logs = new LogCapture(SERVER_LOGS);
                EmbeddedSkiff broker = broker(Map.of("connections.max.idle.ms", "3000"))) {
            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < 50; i++) idle.add(connect(broker));
            try (Socket good = connect(broker)) {
                for (int i = 0; i < 5; i++) assertEquals(i, roundTrip(good, i));
            }
            for (Socket s : idle) {
                assertTrue(closedByBroker(s, Duration.ofSeconds(10)), "idle connection closed");
                s.close();
            }
            assertTrue(logs.contains("connections.max.idle.ms=3000"), "reason logged: " + logs.messages());
        }
    }

    @Test
    void oversizedAndNonsenseFramesCloseOnlyTheirConnection() throws Exception {
        try (LogCapture logs = new LogCapture(SERVER_LOGS);
                EmbeddedSkiff broker = broker(Map.of("socket.request.max.bytes", "1024"));
                Socket good = connect(broker)) {
            // over the limit
            try (Socket s = connect(broker)) {
                new DataOutputStream(s.getOutputStream()).writeInt(2000);
                assertTrue(closedByBroker(s, Duration.ofSeconds(10)));
            }
            // a frame claiming 2 GB: rejected on its size prefix, nothing allocated for it
            try (Socket s = connect(broker)) {
                long t = System.nanoTime();
                new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
                assertTrue(closedByBroker(s, Duration.ofSeconds(10)));
                assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(5), "rejected at once");
            }
            // a negative size, an unknown API key, a header cut short
            byte[][] nonsense = {
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
                {0, 0, 0, 10, 0x7f, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0},
                {0, 0, 0, 3, 0, 18, 0},
            };
            for (byte[] frame : nonsense) {
                try (Socket s = connect(broker)) {
                    s.getOutputStream().write(frame);
                    assertTrue(
                            closedByBroker(s, Duration.ofSeconds(10)),
                            "closed after " + java.util.Arrays.toString(frame));
                }
            }
            assertEquals(5, roundTrip(good, 5), "the well-behaved connection is untouched");
            assertTrue(logs.contains("larger than the maximum request size"), "reason logged: " + logs.messages());
            assertTrue(logs.contains("Negative frame size"), "reason logged: " + logs.messages());
            assertTrue(logs.contains("unknown or unsupported API key"), "reason logged: " + logs.messages());
            assertTrue(logs.contains("shorter than a request header"), "reason logged: " + logs.messages());
        }
    }
}
