package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.message.ResponseHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/** Request frames (size prefix included) written with Skiff's generated message classes. */
final class RequestFrames {

    private RequestFrames() {}

    /** Header of the version's layout, then the body, after a 4-byte size. */
    static byte[] frame(ApiKeys api, short version, int correlationId, ApiMessage body) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("hostile")
                .write(w, api.requestHeaderVersion(version));
        body.write(w, version);
        byte[] payload = w.toByteArray();
        return ByteBuffer.allocate(4 + payload.length)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    /**
     * Sends {@code body} as version 0 of {@code api} on {@code s} and reads the answer: its body, past a response
     * header that must carry {@code correlationId}.
     */
    static ByteBuf exchangeV0(Socket s, ApiKeys api, int correlationId, ApiMessage body) throws IOException {
        s.getOutputStream().write(frame(api, (short) 0, correlationId, body));
        s.getOutputStream().flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        ByteBuf buf = Unpooled.wrappedBuffer(answer);
        ResponseHeaderData header = new ResponseHeaderData(buf, api.responseHeaderVersion((short) 0));
        assertEquals(correlationId, header.correlationId());
        return buf;
    }

    /** A fetch of one partition by topic name (versions 0-12), as a consumer sends it. */
    static FetchRequestData fetch(String topic, int partition, long offset, int maxWaitMs, int maxBytes) {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(maxBytes)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(partition)
                                .setFetchOffset(offset)
                                .setPartitionMaxBytes(maxBytes)
                                .setCurrentLeaderEpoch(-1)
                                .setLogStartOffset(-1)))));
    }
}
