package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.junit.fixtures.MethodLevelFixture;
import dev.skiff.junit.fixtures.MisuseFixtures;
import dev.skiff.junit.fixtures.ParallelFixtures;
import dev.skiff.junit.fixtures.PerClassFixture;
import dev.skiff.junit.fixtures.PerMethodFixture;
import dev.skiff.junit.fixtures.Seen;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs fixture classes through the JUnit Platform and checks what their brokers went through. */
class SkiffExtensionTest {

    @Test
    void perClassBrokerServesEveryTestAndEveryInjectionPointThenStops() {
        PerClassFixture.SEEN.clear();
        TestExecutionSummary s = FixtureRunner.run(PerClassFixture.class);
        assertEquals(0, s.getTotalFailureCount(), FixtureRunner.failures(s));
        assertEquals(2, s.getTestsSucceededCount());
        List<Seen> seen = PerClassFixture.SEEN;
        assertEquals(3, seen.size());
        assertEquals(1, seen.stream().map(Seen::port).distinct().count(), "one broker for the class: " + seen);
        assertStopped(seen);
    }

    @Test
    void perMethodBrokerIsNewForEachTestAndReachesTheConstructor() {
        PerMethodFixture.SEEN.clear();
        TestExecutionSummary s = FixtureRunner.run(PerMethodFixture.class);
        assertEquals(0, s.getTotalFailureCount(), FixtureRunner.failures(s));
        assertEquals(2, s.getTestsSucceededCount());
        List<Seen> seen = PerMethodFixture.SEEN;
        assertEquals(2, seen.size());
        assertNotEquals(seen.get(0).dataDir(), seen.get(1).dataDir());
        assertStopped(seen);
    }

    @Test
    void methodLevelBrokersOptionsAndTwoBrokersInOneTest() {
        MethodLevelFixture.SEEN.clear();
        TestExecutionSummary s = FixtureRunner.run(MethodLevelFixture.class);
        assertEquals(0, s.getTotalFailureCount(), FixtureRunner.failures(s));
        assertEquals(3, s.getTestsSucceededCount());
        Map<String, List<Seen>> byTest = MethodLevelFixture.SEEN.stream().collect(Collectors.groupingBy(Seen::test));
        Seen classBroker = byTest.get("classBroker").get(0);
        Seen first = byTest.get("twoBrokers").stream()
                .filter(x -> x.name().isEmpty())
                .findFirst()
                .orElseThrow();
        Seen second = byTest.get("twoBrokers").stream()
                .filter(x -> x.name().equals("second"))
                .findFirst()
                .orElseThrow();
        assertEquals(classBroker.port(), first.port(), "the class broker is the unnamed one");
        assertNotEquals(first.port(), second.port());
        assertNotEquals(classBroker.port(), byTest.get("inMemory").get(0).port());
        assertStopped(MethodLevelFixture.SEEN);
    }

    @Test
    void classesRunInParallelEachWithItsOwnBroker() {
        ParallelFixtures.SEEN.clear();
        ParallelFixtures.allStarted = new CountDownLatch(4);
        TestExecutionSummary s = FixtureRunner.run(
                Map.of(
                        "junit.jupiter.execution.parallel.enabled", "true",
                        "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                        "junit.jupiter.execution.parallel.config.strategy", "fixed",
                        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"),
                ParallelFixtures.A.class,
                ParallelFixtures.B.class,
                ParallelFixtures.C.class,
                ParallelFixtures.D.class);
        assertEquals(0, s.getTotalFailureCount(), FixtureRunner.failures(s));
        assertEquals(4, s.getTestsSucceededCount());
        Set<Integer> ports = ParallelFixtures.SEEN.stream().map(Seen::port).collect(Collectors.toSet());
        assertEquals(4, ports.size(), "four independent brokers: " + ParallelFixtures.SEEN);
        assertStopped(ParallelFixtures.SEEN);
    }

    @Test
    void misuseFailsTheTestWithAMessageSayingWhatToDo() {
        TestExecutionSummary s = FixtureRunner.run(
                MisuseFixtures.Ambiguous.class,
                MisuseFixtures.UnknownName.class,
                MisuseFixtures.BadTopic.class,
                MisuseFixtures.BadAcl.class);
        assertEquals(4, s.getTotalFailureCount(), FixtureRunner.failures(s));
        String all = FixtureRunner.failures(s);
        assertTrue(all.contains("pick one with @SkiffBroker"), all);
        assertTrue(all.contains("No Skiff broker named \"nope\""), all);
        assertTrue(all.contains("positive partition count in \"bad:zero\""), all);
        assertTrue(all.contains("@Skiff acls: ACL \"User:alice ALLOW FLY TOPIC:orders\": unknown operation"), all);
    }

    /** Every broker seen has stopped listening and its temporary data dir is gone. */
    private static void assertStopped(List<Seen> seen) {
        for (Seen x : seen) {
            if (x.dataDir() != null) assertFalse(Files.exists(x.dataDir()), "data dir left behind: " + x);
            assertFalse(listening(x.port()), "still listening: " + x);
        }
        assertNotNull(seen);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
