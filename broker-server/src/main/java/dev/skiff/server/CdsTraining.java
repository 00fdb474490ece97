package dev.skiff.server;

import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.ApiVersionsRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.types.BufferRecords;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run the build makes to write the standalone jar's class-data sharing archive ({@code skiff-server.jsa},
 * used by {@code bin/skiff-server}): a JVM started with {@code -XX:ArchiveClassesAtExit} runs the standalone
 * server's own start ({@link Main#run}) on a free port and a temporary data dir, sends it what a client's first
 * minute sends (ApiVersions, Metadata in the versions of old and new clients, a Produce and a Fetch), stops it
 * and exits, so the archive holds the classes of a start and of those first requests, already parsed and
 * verified. Nothing here is used at run time.
 */
public final class CdsTraining {

    private static final String TOPIC = "cds-training";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("skiff-cds-training");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try {
            Main.Options o = Main.parse(new String[] {
                "--port", "0", "--data-dir", dir.resolve("data").toString(), "--topic", TOPIC + ":1"
            });
            try (SkiffServer server = SkiffServer.start(o.config(), o.topics())) {
                quiet.println("Skiff is listening on " + server.host() + ":" + server.port());
                firstRequests(server.host(), server.port());
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void firstRequests(String host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int id = 0;
            call(in, out, ++id, false, new ApiVersionsRequestData(), 0);
            call(
                    in,
                    out,
                    ++id,
                    true,
                    new ApiVersionsRequestData()
                            .setClientSoftwareName("skiff-cds")
                            .setClientSoftwareVersion("1"),
                    3);
            call(in, out, ++id, false, new MetadataRequestData().setTopics(List.of()), 0);
            call(in, out, ++id, true, new MetadataRequestData().setTopics(null), 12);
            byte[] value = "training".getBytes(StandardCharsets.UTF_8);
            var batch = new RecordBatchBuilder(CompressionType.NONE)
                    .append(System.currentTimeMillis(), null, value)
                    .build();
            call(
                    in,
                    out,
                    ++id,
                    true,
                    new ProduceRequestData()
                            .setAcks((short) 1)
                            .setTimeoutMs(30_000)
                            .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                                    .setName(TOPIC)
                                    .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                            .setIndex(0)
                                            .setRecords(BufferRecords.of(batch)))))),
                    9);
            call(
                    in,
                    out,
                    ++id,
                    true,
                    new FetchRequestData()
                            .setReplicaId(-1)
                            .setMaxWaitMs(0)
                            .setMinBytes(1)
                            .setMaxBytes(1 << 20)
                            .setTopics(List.of(new FetchRequestData.FetchTopic()
                                    .setTopic(TOPIC)
                                    .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                            .setPartition(0)
                                            .setFetchOffset(0)
                                            .setPartitionMaxBytes(1 << 20))))),
                    12);
        }
    }

    /** Writes one request ({@code flexible}: header v2, as flexible versions have) and reads its answer's bytes. */
    private static void call(DataInputStream in, OutputStream out, int id, boolean flexible, ApiMessage body, int v)
            throws IOException {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(body.apiKey())
                .setRequestApiVersion((short) v)
                .setCorrelationId(id)
                .setClientId("skiff-cds")
                .write(w, (short) (flexible ? 2 : 1));
        body.write(w, (short) v);
        byte[] frame = w.toByteArray();
        out.write(new byte[] {
            (byte) (frame.length >>> 24), (byte) (frame.length >>> 16), (byte) (frame.length >>> 8), (byte) frame.length
        });
        out.write(frame);
        out.flush();
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
    }

    private CdsTraining() {}
}
