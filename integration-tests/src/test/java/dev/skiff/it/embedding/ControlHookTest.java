package dev.skiff.it.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.control.ControlContext;
import dev.skiff.server.control.ControlHandle;
import dev.skiff.server.control.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request control hook of EmbeddedSkiff: keep, drop, delay, answer, error, N times, removal. */
class ControlHookTest {

    private EmbeddedSkiff broker;

    @BeforeEach
    void start() {
        broker = EmbeddedSkiff.builder().topic("orders", 2).start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void aControlSeesTheDecodedRequestAndHeaderAndKeepsIt() {
        List<ControlContext> seen = new CopyOnWriteArrayList<>();
        List<ApiMessage> requests = new CopyOnWriteArrayList<>();
        ControlHandle keep = broker.control(ApiKeys.METADATA, (ctx, request) -> {
            seen.add(ctx);
            requests.add(request);
            return Reply.keep();
        });
        ControlHandle later =
                broker.control(ApiKeys.METADATA, (ctx, request) -> Reply.error(Errors.BROKER_NOT_AVAILABLE));

        MetadataResponseData r = metadata(new WireClient(broker.port()));
        assertEquals(0, topic(r, "orders").errorCode(), "the broker answered");
        assertEquals(2, topic(r, "orders").partitions().size());
        assertEquals(1, keep.timesApplied());
        assertEquals(0, later.timesApplied(), "a kept request goes to the broker, past later controls");
        assertEquals(ApiKeys.METADATA, seen.get(0).api());
        assertEquals(12, seen.get(0).apiVersion());
        assertEquals("wire-client", seen.get(0).clientId());
        MetadataRequestData asked = assertInstanceOf(MetadataRequestData.class, requests.get(0));
        assertEquals("orders", asked.topics().get(0).name());
    }

    @Test
    void nullLeavesTheRequestToTheNextControl() {
        ControlHandle watcher = broker.control(ApiKeys.METADATA, (ctx, request) -> null);
        ControlHandle failing =
                broker.control(ApiKeys.METADATA, (ctx, request) -> Reply.error(Errors.BROKER_NOT_AVAILABLE));
        MetadataResponseData r = metadata(new WireClient(broker.port()));
        assertEquals(Errors.BROKER_NOT_AVAILABLE.code(), topic(r, "orders").errorCode());
        assertEquals(0, watcher.timesApplied(), "declining is not counted");
        assertEquals(1, failing.timesApplied());
    }

    @Test
    void dropClosesTheConnectionWithoutAnAnswer() {
        ControlHandle drop = broker.control(ApiKeys.METADATA, 1, (ctx, request) -> Reply.drop());
        try (WireClient c = new WireClient(broker.port())) {
            c.write(ApiKeys.METADATA, (short) 12, metadataRequest(), "dropped", 1);
            assertTrue(c.closedByBroker());
        }
        assertFalse(drop.isActive());
        assertEquals(0, topic(metadata(new WireClient(broker.port())), "orders").errorCode(), "the next one is served");
    }

    @Test
    void delayAnswersNoSoonerThanAsked() {
        broker.control(ApiKeys.METADATA, (ctx, request) -> Reply.delay(Duration.ofMillis(400)));
        long start = System.nanoTime();
        MetadataResponseData r = metadata(new WireClient(broker.port()));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 400, "answered after " + tookMs + " ms");
        assertEquals(0, topic(r, "orders").errorCode());
    }

    @Test
    void answerSendsTheControlsOwnResponse() {
        broker.control(ApiKeys.METADATA, (ctx, request) -> {
            MetadataResponseData invented = new MetadataResponseData().setClusterId("invented");
            invented.topics()
                    .add(new MetadataResponseData.MetadataResponseTopic()
                            .setName("nowhere")
                            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
            return Reply.answer(invented);
        });
        MetadataResponseData r = metadata(new WireClient(broker.port()));
        assertEquals("invented", r.clusterId());
        assertEquals(
                List.of("nowhere"),
                r.topics().stream()
                        .map(MetadataResponseData.MetadataResponseTopic::name)
                        .toList());
    }

    @Test
    void anAnswerOfAnotherApiIsAServerErrorNotAGarbledResponse() {
        broker.control(ApiKeys.METADATA, (ctx, request) -> Reply.answer(new ListOffsetsResponseData()));
        MetadataResponseData r = metadata(new WireClient(broker.port()));
        assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), topic(r, "orders").errorCode());
    }

    @Test
    void anAnswerTheVersionCannotCarryIsAServerErrorAndTheConnectionStaysOpen() {
        // Metadata v11 has no room for a topic without a name (nullable from v12): encoding that answer fails
        broker.control(ApiKeys.METADATA, 1, (ctx, request) -> {
            MetadataResponseData unencodable = new MetadataResponseData();
            unencodable.topics().add(new MetadataResponseData.MetadataResponseTopic().setName(null));
            return Reply.answer(unencodable);
        });
        try (WireClient c = new WireClient(broker.port())) {
            MetadataResponseData first = (MetadataResponseData) c.send(ApiKeys.METADATA, 11, metadataRequest());
            assertEquals(
                    Errors.UNKNOWN_SERVER_ERROR.code(), topic(first, "orders").errorCode());
            MetadataResponseData second = (MetadataResponseData) c.send(ApiKeys.METADATA, 11, metadataRequest());
            assertEquals(0, topic(second, "orders").errorCode(), "the same connection is served afterwards");
        }
    }

    @Test
    void anErrorIsAnsweredOnEachRequestedPartitionForNRequestsOnly() {
        ControlHandle twice =
                broker.control(ApiKeys.LIST_OFFSETS, 2, (ctx, request) -> Reply.error(Errors.NOT_LEADER_OR_FOLLOWER));
        try (WireClient c = new WireClient(broker.port())) {
            for (int i = 0; i < 2; i++) {
                ListOffsetsResponseData r = (ListOffsetsResponseData) c.send(ApiKeys.LIST_OFFSETS, 7, listOffsets());
                assertEquals(
                        List.of(Errors.NOT_LEADER_OR_FOLLOWER.code(), Errors.NOT_LEADER_OR_FOLLOWER.code()),
                        r.topics().get(0).partitions().stream()
                                .map(ListOffsetsResponseData.ListOffsetsPartitionResponse::errorCode)
                                .toList());
            }
            assertFalse(twice.isActive());
            assertEquals(2, twice.timesApplied());
            ListOffsetsResponseData third = (ListOffsetsResponseData) c.send(ApiKeys.LIST_OFFSETS, 7, listOffsets());
            assertEquals(0, third.topics().get(0).partitions().get(0).errorCode(), "the third is the broker's");
        }
    }

    @Test
    void aRemovedControlActsNoMoreAndControlsOutliveARestart() {
        ControlHandle failing =
                broker.control(ApiKeys.METADATA, (ctx, request) -> Reply.error(Errors.BROKER_NOT_AVAILABLE));
        broker.restart();
        assertEquals(
                Errors.BROKER_NOT_AVAILABLE.code(),
                topic(metadata(new WireClient(broker.port())), "orders").errorCode());
        failing.remove();
        assertFalse(failing.isActive());
        assertEquals(0, topic(metadata(new WireClient(broker.port())), "orders").errorCode());
        assertEquals(1, failing.timesApplied());
    }

    private static MetadataResponseData metadata(WireClient c) {
        try (c) {
            return (MetadataResponseData) c.send(ApiKeys.METADATA, 12, metadataRequest());
        }
    }

    private static MetadataRequestData metadataRequest() {
        return new MetadataRequestData()
                .setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders"))));
    }

    private static ListOffsetsRequestData listOffsets() {
        ListOffsetsRequestData r = new ListOffsetsRequestData().setReplicaId(-1);
        r.topics()
                .add(new ListOffsetsRequestData.ListOffsetsTopic()
                        .setName("orders")
                        .setPartitions(new ArrayList<>(List.of(
                                new ListOffsetsRequestData.ListOffsetsPartition()
                                        .setPartitionIndex(0)
                                        .setTimestamp(-1),
                                new ListOffsetsRequestData.ListOffsetsPartition()
                                        .setPartitionIndex(1)
                                        .setTimestamp(-1)))));
        return r;
    }

    private static MetadataResponseData.MetadataResponseTopic topic(MetadataResponseData r, String name) {
        return r.topics().stream()
                .filter(t -> name.equals(t.name()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + r));
    }
}
