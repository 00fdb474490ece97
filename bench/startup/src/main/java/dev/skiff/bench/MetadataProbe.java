package dev.skiff.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client's first question to a broker, written by hand so no client library start-up is measured: a
 * Metadata v0 request (all topics) over a new TCP connection. The broker counts as up once it answers with
 * itself in the broker list.
 */
final class MetadataProbe {

    private static final byte[] CLIENT_ID = "startup-bench".getBytes(StandardCharsets.UTF_8);

    /** Retries (connection refused, empty broker list) until answered or {@code timeoutMs} has passed. */
    static void awaitAnswer(String host, int port, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (ask(host, port) > 0) return;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(
                "no Metadata answer from " + host + ":" + port + " within " + timeoutMs + " ms", last);
    }

    /** Sends one Metadata v0 request; returns the number of brokers in the answer. */
    static int ask(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 1000);
            s.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            int correlationId = 7;
            out.writeInt(2 + 2 + 4 + 2 + CLIENT_ID.length + 4); // frame size
            out.writeShort(3); // api key: Metadata
            out.writeShort(0); // version 0
            out.writeInt(correlationId);
            out.writeShort(CLIENT_ID.length);
            out.write(CLIENT_ID);
            out.writeInt(0); // v0: no topics named = all topics
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int size = in.readInt();
            if (size < 8) throw new IOException("answer of " + size + " bytes");
            if (in.readInt() != correlationId) throw new IOException("wrong correlation id");
            return in.readInt(); // length of the brokers array
        }
    }

    private MetadataProbe() {}
}
