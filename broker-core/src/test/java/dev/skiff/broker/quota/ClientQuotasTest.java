package dev.skiff.broker.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kafka's quota resolution order and its Rate over samples, with a clock the test moves. */
class ClientQuotasTest {

    private static final String P = ClientQuotaAdmin.PRODUCER_BYTE_RATE;

    private static ClientQuotas quotas(Map<QuotaEntity, Double> producerRates) {
        Map<QuotaEntity, Map<String, Double>> table = new LinkedHashMap<>();
        producerRates.forEach((e, v) -> table.put(e, Map.of(P, v)));
        ClientQuotas q = new ClientQuotas(11, 1000);
        q.update(table);
        return q;
    }

    /** The throttle of 20 000 bytes at once: over a fresh 10 s window that is 2 000 bytes/s. */
    private static long throttle(ClientQuotas q, String user, String clientId) {
        return q.record(ClientQuotas.Type.PRODUCE, user, clientId, 20_000, 1_000_000);
    }

    @Test
    void theMostSpecificEntityDecides() {
        // each quota is 1000 bytes/s: 2000 bytes/s is twice it, throttled for (2000 - 1000) / 1000 * 10 s
        Map<QuotaEntity, Double> all = new LinkedHashMap<>();
        all.put(QuotaEntity.clientId(null), 1000.0);
        all.put(QuotaEntity.clientId("c"), 1000.0);
        all.put(QuotaEntity.user(null), 1000.0);
        all.put(QuotaEntity.userAndClientId(null, null), 1000.0);
        all.put(QuotaEntity.userAndClientId(null, "c"), 1000.0);
        all.put(QuotaEntity.user("u"), 1000.0);
        all.put(QuotaEntity.userAndClientId("u", null), 1000.0);
        all.put(QuotaEntity.userAndClientId("u", "c"), 1000.0);
        assertEquals(10_000, throttle(quotas(all), "u", "c"));

        // a generous quota at a more specific level wins over a strict one below it
        Map<QuotaEntity, Double> m = new LinkedHashMap<>();
        m.put(QuotaEntity.clientId("c"), 1000.0);
        m.put(QuotaEntity.user("u"), 1e9);
        assertEquals(0, throttle(quotas(m), "u", "c"), "user beats client id");
        assertEquals(10_000, throttle(quotas(m), "other", "c"), "another user falls to the client id quota");
        m.put(QuotaEntity.userAndClientId(null, "c"), 1e9);
        assertEquals(0, throttle(quotas(m), "other", "c"), "default user with client id beats client id");
        m.put(QuotaEntity.userAndClientId("u", "c"), 1000.0);
        assertEquals(10_000, throttle(quotas(m), "u", "c"), "user and client id beats all");
        assertEquals(0, throttle(quotas(Map.of(QuotaEntity.clientId("x"), 1000.0)), "u", "c"), "no match: free");
    }

    @Test
    void aDefaultQuotaMeasuresEachClientAlone() {
        ClientQuotas q = quotas(Map.of(QuotaEntity.clientId(null), 1000.0));
        // 9 000 bytes in 10 s is under 1000/s for each client; together they would be over
        assertEquals(0, q.record(ClientQuotas.Type.PRODUCE, "u", "a", 9_000, 0));
        assertEquals(0, q.record(ClientQuotas.Type.PRODUCE, "u", "b", 9_000, 0));
        assertEquals(2, q.sensorCount());
        assertTrue(q.record(ClientQuotas.Type.PRODUCE, "u", "a", 9_000, 0) > 0);
    }

    @Test
    void theRateForgetsOldSamplesAndIdleSensorsExpire() {
        ClientQuotas q = quotas(Map.of(QuotaEntity.clientId("c"), 1000.0));
        assertEquals(10_000, q.record(ClientQuotas.Type.PRODUCE, "u", "c", 20_000, 0));
        // 12 s later the first sample has left the 11 windows: 5 000 bytes over a 10 s window is under the quota
        assertEquals(0, q.record(ClientQuotas.Type.PRODUCE, "u", "c", 5_000, 12_000));
        assertFalse(q.active(ClientQuotas.Type.FETCH), "no consumer quota: fetches are not looked up");
        assertEquals(0, q.record(ClientQuotas.Type.FETCH, "u", "c", 1 << 30, 12_000));
        q.expire(12_000 + 11_000);
        assertEquals(1, q.sensorCount(), "recorded within the window: kept");
        q.expire(12_000 + 11_001);
        assertEquals(0, q.sensorCount(), "idle for the whole window: dropped");
    }
}
