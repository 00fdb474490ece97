package dev.skiff.it.acceptance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone jar as a user runs it: it logs through its own SLF4J provider (one line per event on stdout, and
 * SLF4J finds that provider alone), and a Logback file named with {@code -Dlogback.configurationFile} replaces
 * that. The provider is named only by the shaded jar's services, so this is what notices a shading change that
 * drops it (the broker would then log nothing at all).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneJarLoggingTest {

    private static final Pattern STANDALONE_LINE = Pattern.compile(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  SkiffServer - Skiff listening on PLAINTEXT 127\\.0\\.0\\.1:\\d+ .*");

    @TempDir
    Path work;

    @BeforeEach
    void theJarIsBuilt() {
        assumeTrue(Files.isRegularFile(StandaloneJar.PATH), "the standalone jar is not built");
    }

    @Test
    void itLogsItsOwnLinesToStdoutThroughItsOwnProvider() throws Exception {
        Run run = startAndStop(List.of());
        assertTrue(run.stdout.stream().anyMatch(l -> STANDALONE_LINE.matcher(l).matches()), run.toString());
        assertTrue(
                run.stdout.stream().anyMatch(l -> l.matches(".* INFO  SkiffServer - Skiff on port \\d+ stopped")),
                run.toString());
        // SLF4J found exactly one provider (it may still note a replay of calls made while it started: harmless)
        assertTrue(
                run.stderr.stream()
                        .noneMatch(l -> l.contains("No SLF4J providers")
                                || l.contains("multiple SLF4J providers")
                                || l.contains("no-operation")),
                run.toString());
        assertStoppedCleanly(run);
    }

    @Test
    void aLogbackFileOnTheCommandLineReplacesIt() throws Exception {
        Path xml = work.resolve("mine.xml");
        Files.writeString(xml, """
                <configuration>
                  <appender name="MINE" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>mine|%level|%logger{0}|%msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="MINE"/></root>
                </configuration>
                """);
        Run run = startAndStop(List.of("-Dlogback.configurationFile=" + xml));
        assertTrue(
                run.stdout.stream().anyMatch(l -> l.startsWith("mine|INFO|SkiffServer|Skiff listening on PLAINTEXT")),
                run.toString());
        assertTrue(run.stdout.stream().noneMatch(l -> STANDALONE_LINE.matcher(l).matches()), run.toString());
        assertStoppedCleanly(run);
    }

    /**
     * A stop that comes while the broker is still starting (its data dir exists once the start has begun) closes
     * what the start opened: the broker's last line is its stop, and a second start finds its data. A hook
     * registered only once the broker was up missed such a stop ("Shutdown in progress").
     */
    @Test
    void aStopDuringTheStartStillClosesTheBroker() throws Exception {
        Path data = work.resolve("data");
        Run run = startAndStop(List.of(), (broker, r, stdout) -> {
            while (!Files.isDirectory(data) && broker.isAlive()) Thread.sleep(1);
        }); // SIGTERM, most likely before it listens
        assertTrue(
                run.stdout.stream().anyMatch(l -> l.matches(".* INFO  SkiffServer - Skiff on port \\d+ stopped")),
                run.toString());
        assertTrue(run.stderr.stream().noneMatch(l -> l.contains("Exception")), run.toString());
        assertStoppedCleanly(run);
        assertStoppedCleanly(startAndStop(List.of())); // the same data dir starts again
    }

    /** A SIGTERM stop: the JVM's exit status for the signal (128 + 15), or 0 where the broker exits itself. */
    private static void assertStoppedCleanly(Run run) {
        assertTrue(run.exit == 143 || run.exit == 0, run.toString());
    }

    private record Run(List<String> stdout, List<String> stderr, int exit) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n"
                    + String.join("\n", stderr);
        }
    }

    /** Starts the jar on a free port, waits for its start line, stops it with SIGTERM and returns what it printed. */
    private Run startAndStop(List<String> jvmOptions) throws Exception {
        return startAndStop(jvmOptions, (broker, r, stdout) -> {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.add(line);
                if (line.startsWith("Skiff is listening on")) break;
            }
        });
    }

    /** What a run waits for before its SIGTERM, keeping in {@code stdout} any lines it reads from {@code r}. */
    private interface BeforeStop {
        void await(Process broker, BufferedReader r, List<String> stdout) throws Exception;
    }

    /** Starts the jar, stops it with SIGTERM once {@code beforeStop} returns and returns what it printed. */
    private Run startAndStop(List<String> jvmOptions, BeforeStop beforeStop) throws Exception {
        Path stderr = work.resolve("stderr.txt");
        Process broker = new ProcessBuilder(command(jvmOptions))
                .redirectError(stderr.toFile())
                .start();
        List<String> stdout = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
            beforeStop.await(broker, r, stdout);
            broker.toHandle().destroy(); // SIGTERM, leaving the pipe open (Process.destroy closes it)
            String line;
            while ((line = r.readLine()) != null) stdout.add(line);
        } finally {
            if (!broker.waitFor(60, TimeUnit.SECONDS)) broker.destroyForcibly();
        }
        return new Run(stdout, Files.readAllLines(stderr), broker.waitFor());
    }

    /** The standalone jar on a free port with its data under this test's dir. */
    private List<String> command(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-jar",
                StandaloneJar.PATH.toString(),
                "--port",
                "0",
                "--data-dir",
                work.resolve("data").toString()));
        return command;
    }
}
