package dev.skiff.it.wire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A plain socket to the broker that sends hand-written bytes and reads answers frame by frame. */
public final class RawConnection implements AutoCloseable {
    /** How long a read waits for the broker: the deadline of every check on this connection. */
    public static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawConnection(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Half-closes: the broker reads end of stream after what was sent. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** An answer: its correlation id (response header v0) and the body after it. */
    public record Answer(int correlationId, ByteBuffer body) {}

    /** Reads one response frame; fails if none comes within the read timeout or the broker closes. */
    public Answer readAnswer() throws IOException {
        int size = in.readInt();
        if (size < 4 || size > 64 * 1024 * 1024) {
            throw new IOException("implausible response size " + size);
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        int correlationId = buffer.getInt();
        return new Answer(correlationId, buffer.slice());
    }

    /**
     * Waits, up to the read timeout, for the broker to close the connection (end of stream or a reset): true if it
     * did, false if it sent a byte instead or kept the connection open and silent.
     */
    public boolean isClosedByBroker() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    /** Either the broker's next answer, or null if it closed the connection (end of stream or reset) instead. */
    public Answer readAnswerOrClosed() throws IOException {
        try {
            return readAnswer();
        } catch (EOFException e) {
            return null;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (SocketException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
