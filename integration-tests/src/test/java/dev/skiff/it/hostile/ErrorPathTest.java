package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.Message;
import dev.skiff.protocol.message.ApiVersionsRequestData;
import dev.skiff.protocol.message.ApiVersionsResponseData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.types.Uuid;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.control.Reply;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One error path: whatever a handler throws, or a failed future it returns, becomes that request's own error
 * response (UNKNOWN_SERVER_ERROR for the unexpected, an ApiException's code otherwise), for every API and
 * version Skiff serves, and the connection stays open. The failure is injected with a request control that
 * throws for requests of the "attacker" client only.
 */
class ErrorPathTest {

    private static final String ATTACKER = "attacker";
    private static final Errors SPECIFIC = Errors.CLUSTER_AUTHORIZATION_FAILED;

    @Test
    void everyServedApiAndVersionAnswersAThrowWithItsOwnErrorResponse() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            Map<ApiKeys, short[]> served = served(broker);
            assertTrue(served.size() > 20, "ApiVersions lists the served APIs: " + served.keySet());
            for (ApiKeys api : served.keySet()) {
                broker.control(api, (ctx, request) -> {
                    if (!ctx.clientId().startsWith(ATTACKER)) return null;
                    if (ctx.clientId().endsWith("specific")) throw new ApiException(SPECIFIC, "refused for the test");
                    throw new IllegalStateException("injected handler bug");
                });
            }
            List<String> failures = new ArrayList<>();
            int correlationId = 0;
            try (WireClient s = new WireClient(broker.port())) {
                for (Map.Entry<ApiKeys, short[]> e : served.entrySet()) {
                    ApiKeys api = e.getKey();
                    for (short v = e.getValue()[0]; v <= e.getValue()[1]; v++) {
                        ApiMessage request = filled(api.newRequest());
                        if (request instanceof ProduceRequestData p) p.setAcks((short) -1); // acks=0 has no answer
                        check(s, api, v, request, ATTACKER, ++correlationId, Errors.UNKNOWN_SERVER_ERROR, failures);
                        check(s, api, v, request, ATTACKER + "-specific", ++correlationId, SPECIFIC, failures);
                    }
                }
                // The connection is still open and served.
                ApiVersionsResponseData after = (ApiVersionsResponseData) s.send(
                        ApiKeys.API_VERSIONS,
                        (short) 3,
                        new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1"),
                        "follow-up",
                        ++correlationId);
                assertEquals(0, after.errorCode());
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void aFailedFutureIsAnsweredLikeAThrowAndMirrorsTheRequest() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 2).start()) {
            Survival survival = Survival.before(broker);
            // The broker handles the request; its answer then fails, as a handler's future would.
            for (ApiKeys api : List.of(ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.LIST_OFFSETS)) {
                broker.control(
                        api,
                        (ctx, request) -> ctx.clientId().equals(ATTACKER)
                                ? Reply.keep().thenEdit(r -> {
                                    throw new IllegalStateException("injected failure after handling");
                                })
                                : null);
            }
            try (WireClient s = new WireClient(broker.port())) {
                MetadataResponseData md = (MetadataResponseData) s.send(
                        ApiKeys.METADATA,
                        (short) 12,
                        new MetadataRequestData()
                                .setTopics(new ArrayList<>(
                                        List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders")))),
                        ATTACKER,
                        1);
                assertEquals("orders", md.topics().get(0).name());
                assertEquals(
                        Errors.UNKNOWN_SERVER_ERROR.code(), md.topics().get(0).errorCode());

                ProduceRequestData produce =
                        new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
                produce.topicData()
                        .add(new ProduceRequestData.TopicProduceData()
                                .setName("orders")
                                .setPartitionData(new ArrayList<>(
                                        List.of(new ProduceRequestData.PartitionProduceData().setIndex(1)))));
                ProduceResponseData pr = (ProduceResponseData) s.send(ApiKeys.PRODUCE, (short) 9, produce, ATTACKER, 2);
                ProduceResponseData.PartitionProduceResponse p =
                        pr.responses().get(0).partitionResponses().get(0);
                assertEquals(1, p.index());
                assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), p.errorCode());
                assertEquals(-1, p.baseOffset());

                ListOffsetsRequestData lo = new ListOffsetsRequestData().setReplicaId(-1);
                lo.topics()
                        .add(new ListOffsetsRequestData.ListOffsetsTopic()
                                .setName("orders")
                                .setPartitions(new ArrayList<>(List.of(new ListOffsetsRequestData.ListOffsetsPartition()
                                        .setPartitionIndex(0)
                                        .setTimestamp(-1)))));
                ListOffsetsResponseData lr =
                        (ListOffsetsResponseData) s.send(ApiKeys.LIST_OFFSETS, (short) 7, lo, ATTACKER, 3);
                assertEquals(
                        Errors.UNKNOWN_SERVER_ERROR.code(),
                        lr.topics().get(0).partitions().get(0).errorCode());

                MetadataResponseData fine = (MetadataResponseData)
                        s.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null), "follow-up", 4);
                assertTrue(fine.topics().stream().anyMatch(t -> t.name().equals("orders") && t.errorCode() == 0));
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    @Test
    void aFailedAcksZeroProduceClosesTheConnectionAsKafkaDoes() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 1).start()) {
            Survival survival = Survival.before(broker);
            broker.control(ApiKeys.PRODUCE, (ctx, request) -> {
                if (ctx.clientId().equals(ATTACKER)) throw new IllegalStateException("injected");
                return null;
            });
            try (WireClient s = new WireClient(broker.port())) {
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 0);
                produce.topicData()
                        .add(new ProduceRequestData.TopicProduceData()
                                .setName("orders")
                                .setPartitionData(new ArrayList<>(
                                        List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)))));
                s.write(ApiKeys.PRODUCE, (short) 9, produce, ATTACKER, 1);
                // No answer can carry the error, so the producer learns of it by the close.
                assertTrue(s.closedByBroker(), "the broker closed the connection");
            }
            survival.assertServedAndRestartsIntact();
        }
    }

    /** Sends {@code request} and checks the answer: right correlation id, decodable at v, the error inside. */
    private static void check(
            WireClient s,
            ApiKeys api,
            short v,
            ApiMessage request,
            String clientId,
            int correlationId,
            Errors expected,
            List<String> failures)
            throws Exception {
        String what = api + " v" + v + " (" + expected + ")";
        ApiMessage response;
        try {
            response = s.send(api, v, request, clientId, correlationId);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
        if (response.apiKey() != api.id()) failures.add(what + ": answered with api " + response.apiKey());
        else if (!carriesCode(response, expected.code())) failures.add(what + ": no " + expected + " in " + response);
    }

    /** The APIs and version ranges the broker advertises. */
    private static Map<ApiKeys, short[]> served(EmbeddedSkiff broker) {
        ApiVersionsResponseData r = (ApiVersionsResponseData) WireClient.call(
                broker.port(),
                ApiKeys.API_VERSIONS,
                3,
                new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1"));
        assertEquals(0, r.errorCode());
        Map<ApiKeys, short[]> out = new LinkedHashMap<>();
        for (ApiVersionsResponseData.ApiVersion v : r.apiKeys()) {
            out.put(ApiKeys.forId(v.apiKey()), new short[] {v.minVersion(), v.maxVersion()});
        }
        return out;
    }

    /**
     * Every array of a request with one element, recursively (names "t", partition 0, ...), so answers that
     * mirror the request have something to mirror; scalars keep the schema defaults.
     */
    private static <T> T filled(T message) {
        try {
            fill(message, 0);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return message;
    }

    private static void fill(Object message, int depth) throws ReflectiveOperationException {
        for (Method m : message.getClass().getDeclaredMethods()) {
            if (!m.getName().startsWith("set") || m.getParameterCount() != 1 || m.getParameterTypes()[0] != List.class)
                continue;
            Class<?> element =
                    (Class<?>) ((ParameterizedType) m.getGenericParameterTypes()[0]).getActualTypeArguments()[0];
            List<Object> list = new ArrayList<>();
            if (element == String.class) list.add("t");
            else if (element == Integer.class) list.add(0);
            else if (element == Long.class) list.add(0L);
            else if (element == Uuid.class) list.add(Uuid.ZERO);
            else if (Message.class.isAssignableFrom(element) && depth < 4) {
                Object e = element.getConstructor().newInstance();
                fill(e, depth + 1);
                for (Method n : element.getDeclaredMethods()) {
                    // a name for each topic or group element, so answers have a key to mirror
                    if (n.getParameterCount() == 1
                            && n.getParameterTypes()[0] == String.class
                            && (n.getName().equals("setName") || n.getName().equals("setTopic"))) n.invoke(e, "t");
                }
                list.add(e);
            }
            m.invoke(message, list);
        }
    }

    /** Whether any error-code field, at any depth, holds {@code code}. */
    private static boolean carriesCode(Object message, short code) throws ReflectiveOperationException {
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
