package dev.skiff.it.durability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone broker ({@code dev.skiff.server.Main}) in a child JVM, so it can be killed with SIGKILL
 * like a crashed process. Its output is drained by a thread (a full pipe would stall it) and kept for
 * failure messages; the bound port is read from its "Skiff is listening on host:port" line.
 */
public final class ChildBroker implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Skiff is listening on ([^ ]+):(\\d+)");

    private final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();

    private ChildBroker(Process process) {
        this.process = process;
        Thread drain = new Thread(this::drain, "child-broker-output");
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts {@code Main} with these flags on the test's own classpath (which holds broker-server's). */
    static ChildBroker start(Path dataDir, int port, List<String> flags) throws IOException {
        return start(dataDir, port, flags, 0);
    }

    /**
     * As {@link #start(Path, int, List)}, run under a limit of {@code openFiles} descriptors, soft and hard
     * ({@code ulimit -n} through {@code sh}, which then execs the JVM, so the process is the broker's; a soft
     * limit alone is not enough, as the JVM raises it to the hard one at start); 0 keeps the limits as they are.
     */
    static ChildBroker start(Path dataDir, int port, List<String> flags, int openFiles) throws IOException {
        return start(List.of(), dataDir, port, flags, openFiles);
    }

    /** As {@link #start(Path, int, List, int)}, with these JVM options too (system properties, say). */
    public static ChildBroker start(List<String> jvmOptions, Path dataDir, int port, List<String> flags, int openFiles)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        if (openFiles > 0) cmd.addAll(List.of("sh", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "sh"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a small, quickly started JVM: this machine's cores are shared with the test JVM
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.skiff.server.Main"));
        cmd.addAll(List.of("--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return new ChildBroker(pb.start());
    }

    private void drain() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.add(line);
                while (output.size() > 400) output.pollFirst();
                Matcher m = LISTENING.matcher(line);
                if (m.find()) port.complete(Integer.parseInt(m.group(2)));
            }
        } catch (IOException ignored) {
            // the process died: that is the point of most tests here
        }
        port.completeExceptionally(new IllegalStateException("broker exited before listening:\n" + output()));
    }

    /** Waits for the "listening" line and returns the bound port. */
    public int awaitPort(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("broker did not report its port within " + timeout + ":\n" + output());
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("child broker survived SIGKILL");
    }

    /** SIGTERM: the broker's shutdown hook closes the logs cleanly. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
    }

    /** The broker's process id (the JVM's: {@code sh} execs it). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String output() {
        return String.join(System.lineSeparator(), output);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
