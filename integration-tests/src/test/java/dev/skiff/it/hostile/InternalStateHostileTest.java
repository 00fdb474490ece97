package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.Message;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.AddOffsetsToTxnRequestData;
import dev.skiff.protocol.message.AddOffsetsToTxnResponseData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.JoinGroupRequestData;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import dev.skiff.protocol.message.TxnOffsetCommitRequestData;
import dev.skiff.protocol.message.TxnOffsetCommitResponseData;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Requests whose ids and strings an internal record cannot hold (its strings have an int16 length): a group id
 * or offset metadata of 40,000 bytes, an oversized group instance id, transactional id or group in a
 * transaction. Flexible versions carry them (compact strings have no int16 limit). Before, such a commit was
 * accepted, its record written with a wrapped length, and the next start failed. Now each is refused with
 * Kafka's error before anything is written, and the broker still serves and restarts with its state intact.
 * Kafka itself refuses strings over 32767 bytes when it parses a request, so a broker that closes the
 * connection instead is refusing too; what must never happen is an answer of NONE.
 */
class InternalStateHostileTest {

    private static final String HUGE = "x".repeat(40_000);

    private record Answer(ByteBuf body) {}

    /** Sends one request over a new raw connection; the answer's body, or null when the broker closed it. */
    private static Answer call(EmbeddedSkiff broker, ApiKeys api, short version, Message body) throws IOException {
        ProtocolWriter w = new ProtocolWriter();
        body.write(w, version);
        byte[] payload = w.toByteArray();
        byte[] client = "internal-state-hostile".getBytes(StandardCharsets.UTF_8);
        boolean flexible = api.isFlexible(version);
        ByteBuffer frame = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + client.length + (flexible ? 1 : 0) + payload.length);
        frame.putInt(frame.capacity() - 4)
                .putShort(api.id())
                .putShort(version)
                .putInt(42)
                .putShort((short) client.length)
                .put(client);
        if (flexible) frame.put((byte) 0); // no tagged fields in the header
        frame.put(payload);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(frame.array());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] answer;
            try {
                answer = new byte[in.readInt()];
                in.readFully(answer);
            } catch (EOFException | SocketException closed) {
                return null;
            }
            ByteBuf b = Unpooled.wrappedBuffer(answer);
            assertEquals(42, b.readInt());
            if (flexible) b.readByte(); // response header tagged fields
            return new Answer(b);
        }
    }

    /** The error of an answer: {@code expected}, or a connection closed as Kafka's parser would; never NONE. */
    private static <T> void assertRefused(
            Errors expected, Answer answer, Function<ByteBuf, T> read, Function<T, Short> errorOf) {
        if (answer == null) return; // refused at parsing, as Kafka refuses it
        assertEquals(expected, Errors.forCode(errorOf.apply(read.apply(answer.body()))));
    }

    private static OffsetCommitRequestData commit(String group, String topic, String metadata) {
        return new OffsetCommitRequestData()
                .setGroupId(group)
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName(topic)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0)
                                .setCommittedOffset(3)
                                .setCommittedMetadata(metadata)))));
    }

    private static short firstPartitionError(OffsetCommitResponseData r) {
        return r.topics().get(0).partitions().get(0).errorCode();
    }

    @Test
    void oversizedGroupIdsAndOffsetMetadataAreRefusedAndTheNextStartWorks() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            short v8 = 8;
            assertRefused(
                    Errors.INVALID_GROUP_ID,
                    call(broker, ApiKeys.OFFSET_COMMIT, v8, commit(HUGE, survival.topic(), "")),
                    b -> new OffsetCommitResponseData(b, v8),
                    InternalStateHostileTest::firstPartitionError);
            // longer than offset.metadata.max.bytes (4096), and longer than a record can hold
            for (String metadata : List.of("m".repeat(4097), HUGE)) {
                Answer a = call(broker, ApiKeys.OFFSET_COMMIT, v8, commit("fine-group", survival.topic(), metadata));
                assertNotNull(a, "a string a request may carry is answered");
                assertRefused(
                        Errors.OFFSET_METADATA_TOO_LARGE,
                        a,
                        b -> new OffsetCommitResponseData(b, v8),
                        InternalStateHostileTest::firstPartitionError);
            }
            assertFalse(InsideBroker.of(broker).offsets().groupsWithOffsets().contains("fine-group"));
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void joinGroupStringsARecordCannotHoldAreRefusedAndTheNextStartWorks() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            short v6 = 6;
            JoinGroupRequestData join = new JoinGroupRequestData()
                    .setGroupId(HUGE)
                    .setSessionTimeoutMs(10_000)
                    .setRebalanceTimeoutMs(10_000)
                    .setMemberId("")
                    .setProtocolType("consumer")
                    .setProtocols(List.of(new JoinGroupRequestData.JoinGroupRequestProtocol()
                            .setName("range")
                            .setMetadata(new byte[0])));
            assertRefused(
                    Errors.INVALID_GROUP_ID,
                    call(broker, ApiKeys.JOIN_GROUP, v6, join),
                    b -> new JoinGroupResponseData(b, v6),
                    JoinGroupResponseData::errorCode);
            // a static member whose id (instance id + "-" + UUID) and record would not fit
            join.setGroupId("static-group").setGroupInstanceId(HUGE);
            assertRefused(
                    Errors.INVALID_REQUEST,
                    call(broker, ApiKeys.JOIN_GROUP, v6, join),
                    b -> new JoinGroupResponseData(b, v6),
                    JoinGroupResponseData::errorCode);
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void transactionalIdsAndGroupsARecordCannotHoldAreRefusedAndTheNextStartWorks() throws IOException {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            short v2 = 2, v3 = 3;
            InitProducerIdRequestData init =
                    new InitProducerIdRequestData().setTransactionalId(HUGE).setTransactionTimeoutMs(60_000);
            // Kafka refuses a transactional id it cannot hold as an invalid request
            assertRefused(
                    Errors.INVALID_REQUEST,
                    call(broker, ApiKeys.INIT_PRODUCER_ID, v2, init),
                    b -> new InitProducerIdResponseData(b, v2),
                    InitProducerIdResponseData::errorCode);

            Answer ok = call(broker, ApiKeys.INIT_PRODUCER_ID, v2, init.setTransactionalId("tx"));
            InitProducerIdResponseData producer = new InitProducerIdResponseData(ok.body(), v2);
            assertEquals(Errors.NONE.code(), producer.errorCode());
            AddOffsetsToTxnRequestData addOffsets = new AddOffsetsToTxnRequestData()
                    .setTransactionalId("tx")
                    .setProducerId(producer.producerId())
                    .setProducerEpoch(producer.producerEpoch())
                    .setGroupId(HUGE);
            assertRefused(
                    Errors.INVALID_GROUP_ID,
                    call(broker, ApiKeys.ADD_OFFSETS_TO_TXN, v3, addOffsets),
                    b -> new AddOffsetsToTxnResponseData(b, v3),
                    AddOffsetsToTxnResponseData::errorCode);
            TxnOffsetCommitRequestData txnCommit = new TxnOffsetCommitRequestData()
                    .setTransactionalId("tx")
                    .setGroupId(HUGE)
                    .setProducerId(producer.producerId())
                    .setProducerEpoch(producer.producerEpoch())
                    .setGenerationId(-1)
                    .setMemberId("")
                    .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                            .setName(survival.topic())
                            .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                    .setPartitionIndex(0)
                                    .setCommittedOffset(1)))));
            assertRefused(
                    Errors.INVALID_GROUP_ID,
                    call(broker, ApiKeys.TXN_OFFSET_COMMIT, v3, txnCommit),
                    b -> new TxnOffsetCommitResponseData(b, v3),
                    r -> r.topics().get(0).partitions().get(0).errorCode());
            survival.assertServedAndRestartsIntact();
            assertNotNull(
                    InsideBroker.of(broker).transactions().describe("tx"), "the readable transactional state is kept");
        }
    }
}
