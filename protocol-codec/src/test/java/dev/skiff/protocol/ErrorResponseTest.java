package dev.skiff.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.message.DeleteTopicsRequestData;
import dev.skiff.protocol.message.DeleteTopicsResponseData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated {@link ErrorResponse}: every API and version answers with its own, writable, error response. */
class ErrorResponseTest {

    private static final Errors ERROR = Errors.COORDINATOR_NOT_AVAILABLE;

    /**
     * Answers with nowhere to put an error: DescribeLogDirs has no top-level code before v3, and these
     * two inter-broker and admin APIs answer per entry in a layout that is not the request's (Kafka builds
     * them by hand); Skiff serves none of them. Responses without fields (the retired inter-broker APIs) are
     * skipped as well.
     */
    private static final java.util.Set<String> NO_ERROR_FIELD = java.util.Set.of(
            "DESCRIBE_LOG_DIRS v0",
            "DESCRIBE_LOG_DIRS v1",
            "DESCRIBE_LOG_DIRS v2",
            "ALTER_REPLICA_LOG_DIRS v0",
            "ALTER_REPLICA_LOG_DIRS v1",
            "ALTER_REPLICA_LOG_DIRS v2",
            "ALTER_USER_SCRAM_CREDENTIALS v0");

    @Test
    void everyApiAndVersionGetsAWritableResponseCarryingTheError() throws Exception {
        List<String> failures = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            for (short v = api.lowestVersion(); v <= api.highestVersion(); v++) {
                try {
                    // Through the wire and back, so the request holds only what this version has.
                    ApiMessage filled = new MessageFiller(api.id() * 100L + v).fill(api.newRequest());
                    ApiMessage request = api.parseRequest(write(filled, v), v);
                    ApiMessage response = ErrorResponse.of(request, v, ERROR, "boom");
                    assertEquals(api.id(), response.apiKey());
                    ApiMessage read = api.parseResponse(write(response, v), v);
                    if (!carriesCode(read, ERROR.code())
                            && !NO_ERROR_FIELD.contains(api.name() + " v" + v)
                            && hasFields(read)) failures.add(api + " v" + v + ": no error code in " + read);
                } catch (Exception | AssertionError e) {
                    failures.add(api + " v" + v + ": " + e);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void produceMirrorsTopicsAndPartitions() {
        ProduceRequestData r = new ProduceRequestData().setAcks((short) -1);
        r.topicData()
                .add(new ProduceRequestData.TopicProduceData()
                        .setName("orders")
                        .setPartitionData(new ArrayList<>(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(2),
                                new ProduceRequestData.PartitionProduceData().setIndex(5)))));
        ProduceResponseData out = (ProduceResponseData) ErrorResponse.of(r, (short) 9, ERROR, "boom");
        assertEquals("orders", out.responses().get(0).name());
        List<ProduceResponseData.PartitionProduceResponse> ps =
                out.responses().get(0).partitionResponses();
        assertEquals(
                List.of(2, 5),
                ps.stream()
                        .map(ProduceResponseData.PartitionProduceResponse::index)
                        .toList());
        for (ProduceResponseData.PartitionProduceResponse p : ps) {
            assertEquals(ERROR.code(), p.errorCode());
            assertEquals(-1L, p.baseOffset());
            assertEquals("boom", p.errorMessage());
        }
    }

    @Test
    void fetchAnswersTheFetchedPartitionsNotTheForgottenOnes() {
        FetchRequestData r = new FetchRequestData();
        r.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic("t")
                        .setPartitions(
                                new ArrayList<>(List.of(new FetchRequestData.FetchPartition().setPartition(3)))));
        r.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic("gone"));
        FetchResponseData out = (FetchResponseData) ErrorResponse.of(r, (short) 12, ERROR, "boom");
        assertEquals(1, out.responses().size());
        FetchResponseData.PartitionData p = out.responses().get(0).partitions().get(0);
        assertEquals(3, p.partitionIndex());
        assertEquals(ERROR.code(), p.errorCode());
        assertEquals(-1L, p.highWatermark());
        assertEquals(0, p.records().sizeInBytes());
    }

    @Test
    void plainKeysBecomeElementsOfTheAnswer() {
        FindCoordinatorRequestData fc = new FindCoordinatorRequestData()
                .setKeyType((byte) 0)
                .setCoordinatorKeys(new ArrayList<>(List.of("g1", "g2")));
        FindCoordinatorResponseData fco = (FindCoordinatorResponseData) ErrorResponse.of(fc, (short) 4, ERROR, "boom");
        assertEquals(
                List.of("g1", "g2"),
                fco.coordinators().stream()
                        .map(FindCoordinatorResponseData.Coordinator::key)
                        .toList());
        assertEquals(-1, fco.coordinators().get(0).nodeId());

        // DeleteTopics names topics by name up to v5 and by struct from v6: both are answered.
        DeleteTopicsRequestData dt = new DeleteTopicsRequestData().setTopicNames(new ArrayList<>(List.of("a", "b")));
        DeleteTopicsResponseData dto = (DeleteTopicsResponseData) ErrorResponse.of(dt, (short) 5, ERROR, "boom");
        assertEquals(
                List.of("a", "b"),
                dto.responses().stream()
                        .map(DeleteTopicsResponseData.DeletableTopicResult::name)
                        .toList());

        OffsetFetchRequestData of = new OffsetFetchRequestData().setGroupId("g");
        of.setTopics(new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                .setName("t")
                .setPartitionIndexes(new ArrayList<>(List.of(0, 1))))));
        OffsetFetchResponseData ofo = (OffsetFetchResponseData) ErrorResponse.of(of, (short) 5, ERROR, "boom");
        assertEquals(ERROR.code(), ofo.errorCode());
        assertEquals(
                List.of(0, 1),
                ofo.topics().get(0).partitions().stream()
                        .map(OffsetFetchResponseData.OffsetFetchResponsePartition::partitionIndex)
                        .toList());
        assertFalse(ofo.topics().get(0).partitions().stream().anyMatch(p -> p.committedOffset() != -1));
    }

    private static ByteBuf write(ApiMessage m, short version) {
        ProtocolWriter w = new ProtocolWriter();
        m.write(w, version);
        return Unpooled.wrappedBuffer(w.toByteArray());
    }

    private static boolean hasFields(Object message) {
        return java.util.Arrays.stream(message.getClass().getDeclaredFields())
                .anyMatch(f -> !java.lang.reflect.Modifier.isStatic(f.getModifiers()));
    }

    /** Whether any error-code field, at any depth, holds {@code code}. */
    private static boolean carriesCode(Object message, short code) throws Exception {
        for (Method m : message.getClass().getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || m.getName().equals("hashCode")) continue;
            if (m.getName().endsWith("rrorCode") && m.getReturnType() == short.class) {
                if ((short) m.invoke(message) == code) return true;
            } else if (List.class.isAssignableFrom(m.getReturnType())) {
                List<?> list = (List<?>) m.invoke(message);
                if (list == null) continue;
                for (Object e : list) if (e instanceof Message && carriesCode(e, code)) return true;
            }
        }
        return false;
    }
}
