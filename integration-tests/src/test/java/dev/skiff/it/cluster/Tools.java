package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.oracle.ChildJvm;
import java.time.Duration;
import java.util.Arrays;

/** Apache Kafka 4.x's command line tools (kafka-tools), each run in a child JVM as the kafka-*.sh scripts do. */
final class Tools {

    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";

    private Tools() {}

    /** Runs a tool that must succeed; returns what it printed. */
    static String ok(String mainClass, String... args) {
        ChildJvm.Result r = ChildJvm.run(
                ChildJvm.classpath("kafka-tools"), mainClass, Arrays.asList(args), null, Duration.ofSeconds(90));
        assertEquals(
                0,
                r.exitCode(),
                () -> mainClass + " " + String.join(" ", args) + " failed; it printed:\n" + r.output());
        return r.output();
    }
}
