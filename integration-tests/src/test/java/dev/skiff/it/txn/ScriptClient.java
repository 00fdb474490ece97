package dev.skiff.it.txn;

import dev.skiff.it.Poll;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.AssertionFailedError;

/**
 * A client script (Python for librdkafka, Node for KafkaJS) in a child process: its output lines are
 * collected as they come, its stdin takes commands, and it is killed if still running when closed.
 */
final class ScriptClient implements AutoCloseable {

    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final StringBuilder errors = new StringBuilder();
    private final Writer stdin;
    private volatile long exitedAt;

    ScriptClient(List<String> command, Path nodePath) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (nodePath != null) pb.environment().put("NODE_PATH", nodePath.toString());
        process = pb.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
        pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
    }

    /** The path of a script next to this class in the test resources. */
    static String script(String name) {
        try {
            return Paths.get(ScriptClient.class.getResource(name).toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException("no script " + name, e);
        }
    }

    /** KafkaJS as `.ci/run` installs it: integration-tests/target/node/node_modules (null if absent). */
    static Path kafkaJsModules() {
        Path modules = Paths.get(System.getProperty("basedir", "."), "target", "node", "node_modules");
        return Files.isRegularFile(modules.resolve("kafkajs").resolve("package.json")) ? modules : null;
    }

    private void pump(BufferedReader in, boolean out) {
        Thread t = new Thread(
                () -> {
                    try {
                        for (String line; (line = in.readLine()) != null; ) {
                            if (out) lines.add(line);
                            else
                                synchronized (errors) {
                                    if (errors.length() < 20_000)
                                        errors.append(line).append('\n');
                                }
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                },
                "script-output");
        t.setDaemon(true);
        t.start();
    }

    void send(String line) throws IOException {
        stdin.write(line + "\n");
        stdin.flush();
    }

    /** Waits for a line starting with {@code prefix} and returns it. */
    String await(String prefix, Duration timeout) {
        return Poll.until(
                timeout,
                "'" + prefix + "' from the script (stderr: " + stderrTail() + ")",
                () -> {
                    synchronized (lines) {
                        for (String l : lines) if (l.startsWith(prefix)) return l;
                    }
                    if (!process.isAlive()) exitedAt = exitedAt == 0 ? System.nanoTime() : exitedAt;
                    // once the process is gone, its last lines get a moment to be read, then waiting is pointless
                    if (exitedAt != 0 && System.nanoTime() - exitedAt > 2_000_000_000L) {
                        throw new IllegalStateException("script exited " + process.exitValue() + ": " + lines);
                    }
                    return null;
                },
                l -> l != null);
    }

    /** The last "assigned N" the processor printed, or 0. */
    int lastAssigned() {
        synchronized (lines) {
            for (int i = lines.size() - 1; i >= 0; i--)
                if (lines.get(i).startsWith("assigned "))
                    return Integer.parseInt(lines.get(i).substring(9).trim());
        }
        return 0;
    }

    /** Waits for the process to end and returns its "result" line; fails on a non-zero exit. */
    String result(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionFailedError("script still running after " + timeout + ": " + lines + " " + stderrTail());
        }
        // the output pump may still be reading the last lines
        String result = await("result", Duration.ofSeconds(5));
        if (process.exitValue() != 0) {
            throw new AssertionFailedError(
                    "script failed (" + process.exitValue() + "): " + result + " " + stderrTail());
        }
        return result.substring("result ".length());
    }

    private String stderrTail() {
        synchronized (errors) {
            return errors.length() > 2000 ? errors.substring(errors.length() - 2000) : errors.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
