package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.types.FileRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseEncoderTest {

    @Test
    void fileRecordsGoOutAsAFileRegion(@TempDir Path dir) throws IOException {
        byte[] segment = new byte[1000];
        for (int i = 0; i < segment.length; i++) segment[i] = (byte) i;
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, segment);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FetchResponseData body = new FetchResponseData()
                    .setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                            .setTopic("t")
                            .setPartitions(List.of(new FetchResponseData.PartitionData()
                                    .setPartitionIndex(0)
                                    .setHighWatermark(10)
                                    .setRecords(new FileRecords(channel, 100, 500))))));

            ResponseFrame frame = new ResponseEncoder().encode(123, ApiKeys.FETCH, (short) 4, body);
            List<Object> pieces = frame.pieces();
            assertInstanceOf(ByteBuf.class, pieces.get(0));
            assertInstanceOf(SharedFileRegion.class, pieces.get(1));
            assertFalse(
                    pieces.get(1) instanceof DefaultFileRegion,
                    "native transports read a DefaultFileRegion's descriptor field");
            assertEquals(500, ((FileRegion) pieces.get(1)).count());

            // Assemble the wire bytes as a socket would see them, and read them with Kafka.
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            WritableByteChannel sink = Channels.newChannel(wire);
            for (Object piece : pieces) {
                if (piece instanceof ByteBuf b) {
                    wire.write(ByteBufUtil.getBytes(b));
                } else {
                    FileRegion region = (FileRegion) piece;
                    while (region.transferred() < region.count()) {
                        region.transferTo(sink, region.transferred());
                    }
                }
            }
            frame.release();
            assertTrue(channel.isOpen(), "the segment's channel outlives the response");
            byte[] bytes = wire.toByteArray();
            assertEquals(frame.sizeInBytes(), bytes.length);

            ByteBuffer in = ByteBuffer.wrap(bytes);
            assertEquals(bytes.length - 4, in.getInt());
            assertEquals(123, in.getInt()); // response header v0: correlation id only
            org.apache.kafka.common.message.FetchResponseData kafka = KafkaOracle.kafkaRead(
                    new org.apache.kafka.common.message.FetchResponseData(),
                    java.util.Arrays.copyOfRange(bytes, 8, bytes.length),
                    (short) 4);
            var records = (org.apache.kafka.common.record.MemoryRecords)
                    kafka.responses().get(0).partitions().get(0).records();
            byte[] served = new byte[records.sizeInBytes()];
            records.buffer().duplicate().get(served);
            assertArrayEquals(java.util.Arrays.copyOfRange(segment, 100, 600), served);
        }
    }

    @Test
    void flexibleResponseHeaderAndChannelWrite() {
        ApiMessage body = ApiKeys.METADATA.newResponse();
        ResponseFrame frame = new ResponseEncoder().encode(7, ApiKeys.METADATA, (short) 12, body);
        EmbeddedChannel ch = new EmbeddedChannel();
        frame.writeAndFlush(ch);
        ByteBuf out = ch.readOutbound();
        assertEquals(frame.sizeInBytes(), out.readableBytes());
        assertEquals(out.readableBytes() - 4, out.readInt());
        assertEquals(7, out.readInt());
        assertEquals(0, out.readByte()); // header v1: empty tagged fields
        byte[] rest = ByteBufUtil.getBytes(out);
        out.release();
        org.apache.kafka.common.message.MetadataResponseData kafka =
                KafkaOracle.kafkaRead(new org.apache.kafka.common.message.MetadataResponseData(), rest, (short) 12);
        assertEquals(new org.apache.kafka.common.message.MetadataResponseData(), kafka);
    }
}
