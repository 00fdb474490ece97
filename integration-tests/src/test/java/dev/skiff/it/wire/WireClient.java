package dev.skiff.it.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.message.ResponseHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One connection speaking any API at any version with the generated message classes: a request is written
 * with its header version, the answer is read, its correlation id checked and its body decoded at that version.
 */
public final class WireClient implements AutoCloseable {

    private final Socket socket;
    private int nextCorrelationId = 1;

    public WireClient(int port) {
        try {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(15_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code request} on a fresh connection and returns the answer. */
    public static ApiMessage call(int port, ApiKeys api, int version, ApiMessage request) {
        try (WireClient c = new WireClient(port)) {
            return c.send(api, version, request);
        }
    }

    public ApiMessage send(ApiKeys api, int version, ApiMessage request) {
        return send(api, version, request, "wire-client", nextCorrelationId++);
    }

    /** Writes one request and reads its answer, checking the correlation id and that nothing is left over. */
    public ApiMessage send(ApiKeys api, int version, ApiMessage request, String clientId, int correlationId) {
        short v = (short) version;
        write(api, v, request, clientId, correlationId);
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            ResponseHeaderData header = new ResponseHeaderData(buf, api.responseHeaderVersion(v));
            assertEquals(correlationId, header.correlationId(), api + " v" + v + ": correlation id");
            ApiMessage body = api.parseResponse(buf, v);
            assertEquals(0, buf.readableBytes(), api + " v" + v + ": bytes left after the response");
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(api + " v" + v + ": no answer", e);
        }
    }

    /** Writes one request without reading anything. */
    public void write(ApiKeys api, short version, ApiMessage request, String clientId, int correlationId) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId(clientId)
                .write(w, api.requestHeaderVersion(version));
        request.write(w, version);
        byte[] payload = w.toByteArray();
        try {
            socket.getOutputStream()
                    .write(Wire.writer().int32(payload.length).raw(payload).toByteArray());
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the broker closes the connection (end of stream or reset) before the read timeout. */
    public boolean closedByBroker() {
        try {
            InputStream in = socket.getInputStream();
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
