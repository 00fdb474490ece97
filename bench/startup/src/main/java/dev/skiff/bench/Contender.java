package dev.skiff.bench;

/** One way of starting a broker in this JVM. */
enum Contender {
    SKIFF_MEMORY("Skiff, in memory"),
    SKIFF_DISK("Skiff, on disk"),
    KAFKA_KRAFT("Apache Kafka 4.1.1 KafkaRaftServer (broker+controller), on disk");

    final String label;

    Contender(String label) {
        this.label = label;
    }

    /** Work done before the clock starts (Kafka's storage formatting), then the start itself. */
    Prepared prepare() throws Exception {
        return switch (this) {
            case SKIFF_MEMORY -> () -> SkiffStarter.start(true);
            case SKIFF_DISK -> () -> SkiffStarter.start(false);
            case KAFKA_KRAFT -> KafkaStarter.prepare();
        };
    }

    interface Prepared {
        StartedBroker start() throws Exception;
    }
}
