package dev.skiff.server.replica;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.replica.ReplicaChannel;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.message.ResponseHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * A {@link ReplicaChannel} over Kafka's wire: one TCP connection from the follower's own address to the
 * leader's advertised address, on which the fetcher's requests go one at a time (the fetcher waits for each
 * answer), exactly as a Kafka follower's fetcher talks to its leader. The connection binds to the follower's
 * registered host, so the leader sees the replica fetch come from the broker it names.
 */
public final class SocketReplicaChannel implements ReplicaChannel {
    private static final int MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

    private final BrokerEndpoint leader;
    private final String localHost;
    private final int localId;
    private final int timeoutMs;
    private Socket socket; // guarded by this
    private int correlationId;
    private volatile boolean closed;

    private SocketReplicaChannel(int localId, String localHost, BrokerEndpoint leader, int timeoutMs) {
        this.localId = localId;
        this.localHost = localHost;
        this.leader = leader;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Channels that connect from the address {@code localHost} gives for the local broker id (null: any
     * local address) with replica.socket.timeout.ms {@code timeoutMs} for connecting and reading.
     */
    public static ReplicaChannel.Factory factory(IntFunction<String> localHost, int timeoutMs) {
        return (local, leader) -> new SocketReplicaChannel(local, localHost.apply(local), leader, timeoutMs);
    }

    @Override
    public CompletableFuture<FetchResponseData> fetch(FetchRequestData request, short version) {
        return call(ApiKeys.FETCH, version, request).thenApply(FetchResponseData.class::cast);
    }

    @Override
    public CompletableFuture<OffsetForLeaderEpochResponseData> offsetForLeaderEpoch(
            OffsetForLeaderEpochRequestData request, short version) {
        return call(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, request)
                .thenApply(OffsetForLeaderEpochResponseData.class::cast);
    }

    private CompletableFuture<ApiMessage> call(ApiKeys api, short version, ApiMessage request) {
        try {
            return CompletableFuture.completedFuture(exchange(api, version, request));
        } catch (IOException | RuntimeException e) {
            close();
            return CompletableFuture.failedFuture(e);
        }
    }

    private synchronized ApiMessage exchange(ApiKeys api, short version, ApiMessage request) throws IOException {
        if (closed) throw new IOException("channel to broker " + leader.id() + " is closed");
        if (socket == null) socket = connect();
        int id = ++correlationId;
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(id)
                .setClientId("skiff-replica-fetcher-" + localId)
                .write(w, api.requestHeaderVersion(version));
        request.write(w, version);
        byte[] payload = w.toByteArray();
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int size = in.readInt();
        if (size < 0 || size > MAX_RESPONSE_BYTES) throw new IOException("response of " + size + " bytes");
        byte[] frame = new byte[size];
        in.readFully(frame);
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        ResponseHeaderData header = new ResponseHeaderData(buf, api.responseHeaderVersion(version));
        if (header.correlationId() != id)
            throw new IOException("correlation id " + header.correlationId() + ", expected " + id);
        return api.parseResponse(buf, version);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        try {
            if (localHost != null) {
                // the kernel picks the port on this address alone: it may be the one a broker (another
                // cluster's, port 0) is about to listen on there, and without this that listen would fail
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(localHost, 0));
            }
            s.connect(new InetSocketAddress(leader.host(), leader.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        Socket s = socket; // a racy read is fine: closing unblocks a pending read
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
