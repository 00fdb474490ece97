package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: what a user sees when a start cannot work, and that a good start listens. */
class MainTest {

    @TempDir
    Path dir;

    private record Outcome(int exit, String out, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPortInUseIsOneLineAndExitOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Outcome o = run("--port", Integer.toString(taken.getLocalPort()), "--data-dir", dir.toString());
            assertEquals(1, o.exit());
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertTrue(o.err().contains("already in use"), o.err());
        }
    }

    @Test
    void anUnwritableDataDirIsOneLineAndExitOne() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x"); // a directory cannot be made under a file
        Outcome o = run("--port", "0", "--data-dir", file.resolve("data").toString());
        assertEquals(1, o.exit());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("not writable"), o.err());
    }

    @Test
    void brokersThreeStartsAClusterWithItsTopicAndMetadataLog() {
        Outcome o = run("--brokers", "3", "--port", "0", "--data-dir", dir.toString(), "--topic", "orders:3");
        assertEquals(0, o.exit(), o.err());
        assertEquals(
                3, o.out().lines().filter(l -> l.contains("is listening on")).count(), o.out());
        for (int i = 0; i < 3; i++) {
            assertTrue(o.out().contains("Skiff broker " + i + " is listening on"), o.out());
        }
        // each partition's leader makes its log on taking the lead; followers make theirs with their first records
        for (int p = 0; p < 3; p++) {
            String name = "orders-" + p;
            assertTrue(
                    IntStream.range(0, 3)
                            .anyMatch(i ->
                                    Files.isDirectory(dir.resolve("broker-" + i).resolve(name))),
                    "the log of " + name);
        }
        assertTrue(Files.isRegularFile(dir.resolve("__cluster_metadata").resolve("metadata.log")));
        Outcome again = run("--brokers", "3", "--port", "0", "--data-dir", dir.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(2, run("--brokers", "0").exit());
    }

    @Test
    void httpPortStartsTheConsoleAndPrintsItsAddress() {
        Outcome o = run("--port", "0", "--http-port", "0", "--in-memory");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().lines().anyMatch(l -> l.matches("Console at http://127\\.0\\.0\\.1:\\d+/")), o.out());
        Outcome bad = run("--port", "0", "--http-port", "http", "--in-memory");
        assertEquals(2, bad.exit(), bad.err());
    }

    @Test
    void aBadFlagExitsTwoWithAHint() {
        Outcome o = run("--prot", "9092");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("unknown option --prot"), o.err());
        Outcome missing = run("--topic");
        assertEquals(2, missing.exit());
        Outcome badTopic = run("--topic", "orders:zero");
        assertEquals(2, badTopic.exit());
    }

    @Test
    void helpAndAGoodStart() throws Exception {
        Outcome help = run("--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("--data-dir"));
        Outcome ok = run("--port", "0", "--data-dir", dir.resolve("data").toString(), "--topic", "orders:3");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().matches("(?s).*Skiff is listening on 127\\.0\\.0\\.1:\\d+.*"), ok.out());
        // the topic is its description; a partition's directory is made on its first use
        try (Stream<Path> described =
                Files.list(dir.resolve("data").resolve(".skiff").resolve("topics"))) {
            assertEquals(
                    1,
                    described.filter(f -> f.toString().endsWith(".properties")).count());
        }
    }

    @Test
    void anUnforeseenStartFailurePrintsItsCauseAndStackTrace() {
        // a partition count that is not a number fails deep in the start, outside the checked configuration
        Outcome o = run(
                "--port",
                "0",
                "--data-dir",
                dir.resolve("data").toString(),
                "--override",
                "transaction.state.log.num.partitions=many");
        assertEquals(1, o.exit(), o.err());
        String first = o.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("skiff: cannot start: java.lang.NumberFormatException"), o.err());
        assertTrue(first.contains("many"), o.err());
        assertTrue(!first.contains("null"), o.err());
        assertTrue(o.err().lines().anyMatch(l -> l.startsWith("\tat dev.skiff.")), o.err());
    }
}
