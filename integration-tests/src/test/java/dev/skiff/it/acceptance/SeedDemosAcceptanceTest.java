package dev.skiff.it.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The project's acceptance check, as its README says: the tutorial's five 0.8.1 demos, verbatim but for the
 * broker address, against the standalone jar started as a user would start it (with the ZooKeeper bridge for
 * the group consumer). The demos live in the shared folder beside the repository; without it the test is
 * skipped. Ports are picked by the broker (port 0) and handed to the script.
 */
class SeedDemosAcceptanceTest {

    private static final Pattern LISTENING = Pattern.compile("Skiff (?:is|broker 0 is) listening on [^:]+:(\\d+)");
    private static final Pattern ZOOKEEPER = Pattern.compile("Registered in ZooKeeper at [^:]+:(\\d+)");
    private static final Pattern SUMMARY = Pattern.compile("seed-demos: (\\d+) passed, (\\d+) failed");

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void tutorialDemosPassAgainstTheStandaloneJar() throws Exception {
        runDemos(1);
    }

    /**
     * The tutorial's own setting: three brokers (127.0.0.1-3 at one port, as its three hosts), with topic
     * jiketest replicated on all three, and the demos given the three hosts.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void tutorialDemosPassAgainstThreeBrokers() throws Exception {
        runDemos(3);
    }

    private static void runDemos(int brokers) throws Exception {
        Path demos = Path.of("..", "..", "shared", "acceptance", "seed-demos")
                .toAbsolutePath()
                .normalize();
        Path jar = StandaloneJar.PATH;
        assumeTrue(Files.isRegularFile(demos.resolve("run-demos.sh")), "seed-demos not found beside the repository");
        assumeTrue(Files.isRegularFile(jar), "the standalone jar is not built");

        Path work = Files.createTempDirectory("skiff-acceptance");
        Path copy = work.resolve("seed-demos");
        copyTree(demos, copy); // the shared folder may be read-only; the script writes next to itself
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                jar.toString(),
                "--port",
                "0",
                "--zookeeper-port",
                "0",
                "--topic",
                "jiketest:3",
                "--data-dir",
                work.resolve("data").toString()));
        if (brokers > 1) command.addAll(List.of("--brokers", Integer.toString(brokers)));
        if (brokers > 1) command.addAll(List.of("--override", "default.replication.factor=" + brokers));
        Process broker = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            int[] ports = readPorts(broker);
            ProcessBuilder run = new ProcessBuilder(
                            "bash", copy.resolve("run-demos.sh").toString())
                    .directory(copy.toFile())
                    .redirectErrorStream(true);
            run.environment().put("BROKER_PORT", Integer.toString(ports[0]));
            run.environment().put("ZK", "127.0.0.1:" + ports[1]);
            if (brokers > 1) run.environment().put("BROKER_HOSTS", "127.0.0.1,127.0.0.2,127.0.0.3");
            Process demosRun = run.start();
            List<String> output = new ArrayList<>();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(demosRun.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) output.add(line);
            }
            int exit = demosRun.waitFor();
            String all = String.join("\n", output);
            Matcher m = SUMMARY.matcher(all);
            assertTrue(m.find(), "no summary line from the demos:\n" + all);
            assertEquals("0", m.group(2), all);
            assertEquals(0, exit, all);
            assertTrue(Integer.parseInt(m.group(1)) >= 13, all);
        } finally {
            broker.destroy();
            broker.waitFor(30, TimeUnit.SECONDS);
            broker.destroyForcibly();
            deleteTree(work);
        }
    }

    /** Reads the broker's start lines until both ports are known. */
    private static int[] readPorts(Process broker) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        int port = -1, zk = -1;
        StringBuilder seen = new StringBuilder();
        for (String line; (port < 0 || zk < 0) && (line = r.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) port = Integer.parseInt(m.group(1));
            m = ZOOKEEPER.matcher(line);
            if (m.find()) zk = Integer.parseInt(m.group(1));
        }
        if (port < 0 || zk < 0) throw new IllegalStateException("broker did not start:\n" + seen);
        Thread drain = new Thread(
                () -> {
                    try {
                        while (r.readLine() != null) {
                            /* keep the pipe empty */
                        }
                    } catch (IOException ignored) {
                    }
                },
                "broker-output");
        drain.setDaemon(true);
        drain.start();
        return new int[] {port, zk};
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path rel = from.relativize(p);
                if (rel.startsWith("target") || rel.startsWith("logs")) continue;
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        to.resolve("run-demos.sh").toFile().setExecutable(true);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }
}
