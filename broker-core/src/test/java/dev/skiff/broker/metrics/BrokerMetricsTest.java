package dev.skiff.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class BrokerMetricsTest {

    @Test
    void appendsAndReadsAreCountedPerTopicAndOverall() {
        BrokerMetrics m = new BrokerMetrics();
        m.recordAppend("a", 3, 300);
        m.recordAppend("b", 2, 50);
        m.recordFetch("a", 120);
        assertEquals(5, m.allTopics().messagesIn.count());
        assertEquals(350, m.allTopics().bytesIn.count());
        assertEquals(3, m.topics().get("a").messagesIn.count());
        assertEquals(120, m.topics().get("a").bytesOut.count());
        m.removeTopic("a");
        assertTrue(m.topics().containsKey("b") && !m.topics().containsKey("a"));
    }

    @Test
    void nothingIsCountedWhenOff() {
        BrokerMetrics m = new BrokerMetrics(false);
        m.recordAppend("a", 3, 300);
        m.recordRequest(ApiKeys.PRODUCE, (short) 9, 1_000_000);
        assertEquals(0, m.allTopics().messagesIn.count());
        assertTrue(m.requests().isEmpty());
    }

    @Test
    void requestsAreNamedAsKafkaNamesThem() {
        assertEquals("Produce", BrokerMetrics.kafkaRequestName(ApiKeys.PRODUCE));
        assertEquals("ApiVersions", BrokerMetrics.kafkaRequestName(ApiKeys.API_VERSIONS));
        assertEquals("OffsetForLeaderEpoch", BrokerMetrics.kafkaRequestName(ApiKeys.OFFSET_FOR_LEADER_EPOCH));
    }

    @Test
    void requestTimesGiveBucketPercentiles() {
        BrokerMetrics m = new BrokerMetrics();
        for (int i = 0; i < 98; i++) m.recordRequest(ApiKeys.FETCH, (short) 12, 800_000); // 0.8 ms
        m.recordRequest(ApiKeys.FETCH, (short) 12, 40_000_000); // 40 ms
        m.recordRequest(ApiKeys.FETCH, (short) 11, 400_000_000); // 400 ms
        RequestMeters r = m.requests().get(ApiKeys.FETCH);
        assertEquals(100, r.totalTime.count());
        assertEquals(1.0, r.totalTime.quantileMs(0.5));
        assertEquals(50.0, r.totalTime.quantileMs(0.99));
        assertEquals(400.0, r.totalTime.maxMs(), 0.01);
        assertEquals(99, r.versions().get((short) 12).count());
    }

    @Test
    void ratesFollowTicks() {
        Meter meter = new Meter();
        meter.mark(50);
        meter.tick();
        assertEquals(10.0, meter.oneMinuteRate(), 1e-9); // 50 events over a 5 s tick
        meter.tick();
        assertTrue(meter.oneMinuteRate() < 10.0 && meter.fifteenMinuteRate() > meter.oneMinuteRate());
    }
}
