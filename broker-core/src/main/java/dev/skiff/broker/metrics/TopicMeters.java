package dev.skiff.broker.metrics;

/** Kafka's BrokerTopicMetrics for one topic (or, with a null topic, for all of them). */
public final class TopicMeters {
    public final Meter messagesIn = new Meter();
    public final Meter bytesIn = new Meter();
    public final Meter bytesOut = new Meter();

    void tick() {
        messagesIn.tick();
        bytesIn.tick();
        bytesOut.tick();
    }
}
