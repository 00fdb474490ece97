package dev.skiff.it.oracle;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * One connection that sends a request written with kafka-clients' own message classes at a version chosen by the
 * test and reads the answer back into them: no client logic (retries, metadata refresh) stands between the
 * broker's answer and the assertion, so both brokers can be asked exactly the same thing.
 */
public final class KafkaWire implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String clientId;
    private int correlationId;

    public KafkaWire(String host, int port) throws IOException {
        this(host, port, "skiff-oracle");
    }

    /** A connection whose requests carry {@code clientId} in their header. */
    public KafkaWire(String host, int port, String clientId) throws IOException {
        this.clientId = clientId;
        socket = new Socket(host, port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * A connection logged in with SASL PLAIN (SaslHandshake v1, SaslAuthenticate v2), for SASL_PLAINTEXT
     * listeners; fails when the broker refuses the login.
     */
    public static KafkaWire saslPlain(String host, int port, String user, String password) throws IOException {
        KafkaWire wire = new KafkaWire(host, port);
        try {
            SaslHandshakeResponseData hs = wire.send(new SaslHandshakeRequestData().setMechanism("PLAIN"), 1);
            if (hs.errorCode() != 0) throw new IOException("SaslHandshake answered " + Errors.forCode(hs.errorCode()));
            byte[] token = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
            SaslAuthenticateResponseData auth = wire.send(new SaslAuthenticateRequestData().setAuthBytes(token), 2);
            if (auth.errorCode() != 0)
                throw new IOException(
                        "SaslAuthenticate answered " + Errors.forCode(auth.errorCode()) + ": " + auth.errorMessage());
            return wire;
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
    }

    /** Sends {@code request} at {@code version} and returns the broker's answer. */
    @SuppressWarnings("unchecked")
    public <R extends ApiMessage> R send(ApiMessage request, int version) throws IOException {
        short v = (short) version;
        ApiKeys api = ApiKeys.forId(request.apiKey());
        int id = ++correlationId;
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(api.id)
                .setRequestApiVersion(v)
                .setClientId(clientId)
                .setCorrelationId(id);
        short headerVersion = api.requestHeaderVersion(v);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + request.size(cache, v);
        ByteBuffer buf = ByteBuffer.allocate(4 + size);
        buf.putInt(size);
        ByteBufferAccessor writer = new ByteBufferAccessor(buf);
        header.write(writer, cache, headerVersion);
        request.write(writer, cache, v);
        out.write(buf.array());
        out.flush();

        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        ByteBufferAccessor reader = new ByteBufferAccessor(ByteBuffer.wrap(answer));
        ResponseHeaderData rh = new ResponseHeaderData(reader, api.responseHeaderVersion(v));
        if (rh.correlationId() != id) throw new IOException("answer to " + rh.correlationId() + ", expected " + id);
        ApiMessage response = ApiMessageType.fromApiKey(api.id).newResponse();
        response.read(reader, v);
        return (R) response;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
