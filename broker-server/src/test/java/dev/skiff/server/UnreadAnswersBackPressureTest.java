package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.Partition;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch answers sent from the segment file (zero copy) count against the connection's write-buffer water
 * mark: a client that pipelines such fetches and reads nothing stops being read, and a request it sent after
 * them is not dispatched until it takes its answers.
 */
class UnreadAnswersBackPressureTest {

    private static final int ANSWER_BYTES = 2 << 20; // each answer alone is above the 1 MiB high mark
    private static final int BIG_FETCHES = 12;

    @TempDir
    Path dataDir;

    @Test
    void zeroCopyAnswersNobodyReadsPauseTheConnection() throws Exception {
        BrokerConfig config = BrokerConfig.of(
                Map.of("port", "0", "log.dirs", dataDir.toString(), "socket.send.buffer.bytes", "65536"));
        try (SkiffServer server = SkiffServer.start(config, Map.of("bulk", 1, "empty", 1))) {
            fill(server.broker().topics().partition("bulk", 0));
            Partition empty = server.broker().topics().partition("empty", 0);

            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            for (int i = 1; i <= BIG_FETCHES; i++) requests.write(fetch(i, "bulk", 0));
            requests.write(fetch(BIG_FETCHES + 1, "empty", 60_000)); // would wait for data once dispatched

            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.connect(new InetSocketAddress("127.0.0.1", server.port()));
                client.getOutputStream().write(requests.toByteArray());
                Channel connection = await(() -> server.connections().size() == 1, server)
                        .connections()
                        .iterator()
                        .next();
                await(() -> !connection.isWritable() && !connection.config().isAutoRead(), server);
                assertEquals(0, empty.waiterCount(), "the long poll waits undispatched behind unread answers");

                DataInputStream in = new DataInputStream(client.getInputStream());
                for (int i = 1; i <= BIG_FETCHES; i++) {
                    int size = in.readInt();
                    assertEquals(i, in.readInt());
                    in.readFully(new byte[size - 4]);
                }
                await(() -> empty.waiterCount() == 1, server);
                assertTrue(connection.config().isAutoRead(), "reading again once the answers were taken");
            }
            await(() -> empty.waiterCount() == 0, server);
        }
    }

    @Test
    void aClientThatTakesNoAnswersIsIdleAndClosed() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "port",
                "0",
                "log.dirs",
                dataDir.toString(),
                "socket.send.buffer.bytes",
                "65536",
                "connections.max.idle.ms",
                // the test must see the connection open before it is closed: a window a loaded machine still hits
                "3000"));
        try (SkiffServer server = SkiffServer.start(config, Map.of("bulk", 1))) {
            fill(server.broker().topics().partition("bulk", 0));
            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            for (int i = 1; i <= BIG_FETCHES; i++) requests.write(fetch(i, "bulk", 0));
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(64 * 1024);
                client.connect(new InetSocketAddress("127.0.0.1", server.port()));
                client.getOutputStream().write(requests.toByteArray());
                await(() -> server.connections().size() == 1, server);
                // paused because its answers pile up, not because the broker is behind: the idle clock runs
                await(() -> server.connections().isEmpty(), server);
            }
        }
    }

    private static void fill(Partition p) {
        byte[] value = new byte[100 * 1024];
        for (int i = 0; i < 2 * ANSWER_BYTES / value.length; i++) {
            p.append(new RecordBatchBuilder(CompressionType.NONE)
                    .append(i, null, value)
                    .build());
        }
    }

    private static SkiffServer await(BooleanSupplier condition, SkiffServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached in 30 s");
            Thread.sleep(10);
        }
        return server;
    }

    private static byte[] fetch(int correlationId, String topic, int maxWaitMs) {
        short version = 12;
        FetchRequestData body = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(ANSWER_BYTES)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(ANSWER_BYTES)
                                .setCurrentLeaderEpoch(-1)
                                .setLogStartOffset(-1)))));
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(ApiKeys.FETCH.id())
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("unread")
                .write(w, ApiKeys.FETCH.requestHeaderVersion(version));
        body.write(w, version);
        byte[] payload = w.toByteArray();
        return ByteBuffer.allocate(4 + payload.length)
                .putInt(payload.length)
                .put(payload)
                .array();
    }
}
