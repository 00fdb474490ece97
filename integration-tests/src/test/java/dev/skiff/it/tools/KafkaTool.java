package dev.skiff.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.oracle.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stock Apache Kafka 4.x command line tools (kafka-tools), each run in a child JVM on the class path the build
 * resolved: the same main classes the kafka-*.sh scripts start.
 */
final class KafkaTool {

    static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    static final String CONSUMER_GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    static final String PRODUCER_PERFORMANCE = "org.apache.kafka.tools.ProducerPerformance";
    static final String CONSUMER_PERFORMANCE = "org.apache.kafka.tools.ConsumerPerformance";

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private KafkaTool() {}

    /** Runs a tool with its input; returns what it printed. */
    static ChildJvm.Result run(String mainClass, String stdin, String... args) {
        return ChildJvm.run(ChildJvm.classpath("kafka-tools"), mainClass, Arrays.asList(args), stdin, TIMEOUT);
    }

    /** Runs a tool that must succeed; returns what it printed. */
    static String ok(String mainClass, String stdin, String... args) {
        ChildJvm.Result r = run(mainClass, stdin, args);
        assertEquals(
                0,
                r.exitCode(),
                () -> mainClass + " " + String.join(" ", args) + " failed; it printed:\n" + r.output());
        return r.output();
    }

    /**
     * Runs the stock {@code kafka-configs} (kafka.admin.ConfigCommand, which lives in Kafka's broker jar, not
     * kafka-tools); it must succeed. Returns what it printed.
     */
    static String configs(String... args) {
        ChildJvm.Result r = ChildJvm.run(
                ChildJvm.classpath("kafka-broker"), "kafka.admin.ConfigCommand", Arrays.asList(args), null, TIMEOUT);
        assertEquals(0, r.exitCode(), () -> "kafka-configs " + String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }

    /** The lines a tool printed, without the logging noise of a JVM that has no slf4j binding. */
    static List<String> lines(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.startsWith("SLF4J") || line.isBlank()) continue;
            out.add(line);
        }
        return out;
    }
}
