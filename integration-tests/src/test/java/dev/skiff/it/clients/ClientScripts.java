package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the non-Java clients as child processes: the scripts under {@code src/test/resources/clients/} (on the
 * test class path as {@code clients/}) and kcat. A client that is not installed (see {@code .ci/install-clients.sh})
 * skips its tests through a JUnit assumption instead of failing them.
 */
final class ClientScripts {

    /** Debian's packages install for the system interpreter, not for whatever {@code python3} is first on PATH. */
    static final String PYTHON = System.getProperty("skiff.it.python", "/usr/bin/python3");
    /** Where {@code .ci/install-clients.sh} puts KafkaJS (relative to this module, surefire's working dir). */
    static final Path NODE_MODULES = Paths.get(System.getProperty("skiff.it.node.modules", "target/node/node_modules"));
    /** Longer than any script's own deadline (25 s), so a script reports its failure itself. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClientScripts() {}

    /** What a child process did. */
    record Result(String command, int exitCode, String stdout, String stderr) {

        /** The lines of stdout that start with {@code tag + " "}, without the tag. */
        List<String> lines(String tag) {
            List<String> out = new ArrayList<>();
            for (String line : stdout.split("\\R")) {
                if (line.startsWith(tag + " ")) out.add(line.substring(tag.length() + 1));
            }
            return out;
        }

        /** Fails the test with everything the process printed unless it exited 0. */
        Result ok() {
            assertEquals(
                    0,
                    exitCode,
                    () -> command + " exited " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n"
                            + tail(stderr, 20_000));
            return this;
        }
    }

    /** A script of {@code src/test/resources/clients/}. */
    static Path script(String name) {
        URL url = ClientScripts.class.getResource("/clients/" + name);
        if (url == null) throw new IllegalStateException("no clients/" + name + " on the test class path");
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Skips the test unless {@link #PYTHON} can import {@code module}. */
    static void assumePythonModule(String module) {
        assumeTrue(
                succeeds(List.of(PYTHON, "-c", "import " + module)),
                () -> PYTHON + " cannot import " + module + " (run .ci/install-clients.sh)");
    }

    /** The kcat executable (Debian called it kafkacat before bookworm); skips the test when neither runs. */
    static String assumeKcat() {
        String given = System.getProperty("skiff.it.kcat");
        for (String name : given != null ? List.of(given) : List.of("kcat", "kafkacat")) {
            if (succeeds(List.of(name, "-V"))) return name;
        }
        assumeTrue(false, "kcat is not installed (run .ci/install-clients.sh)");
        return null;
    }

    /** Skips the test unless node runs and KafkaJS is installed in {@link #NODE_MODULES}. */
    static void assumeKafkaJs() {
        assumeTrue(
                Files.isRegularFile(NODE_MODULES.resolve("kafkajs/package.json")),
                () -> "KafkaJS is not installed in " + NODE_MODULES.toAbsolutePath() + " (run .ci/install-clients.sh)");
        assumeTrue(succeeds(List.of("node", "--version")), "node is not installed");
    }

    static Result python(String script, String... args) {
        return python(Map.of(), script, args);
    }

    static Result python(Map<String, String> env, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script(script).toString()));
        cmd.addAll(List.of(args));
        return run(cmd, env, null);
    }

    static Result node(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node", script(script).toString()));
        cmd.addAll(List.of(args));
        return run(
                cmd,
                Map.of("NODE_PATH", NODE_MODULES.toAbsolutePath().toString(), "KAFKAJS_NO_PARTITIONER_WARNING", "1"),
                null);
    }

    /**
     * Runs a command to its end or {@link #TIMEOUT}, with stdin from {@code stdin} (or none). Output goes to
     * files, so a chatty child can never block on a full pipe while we wait for it.
     */
    static Result run(List<String> command, Map<String, String> env, String stdin) {
        String shown = String.join(" ", command);
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("skiff-client", ".out");
            err = Files.createTempFile("skiff-client", ".err");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                in = Files.createTempFile("skiff-client", ".in");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(new File("/dev/null"));
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ended;
            try {
                ended = p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ended = false;
            }
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(shown + " did not end within " + TIMEOUT + "\n--- stdout\n" + read(out) + "\n--- stderr\n"
                        + tail(read(err), 20_000));
            }
            return new Result(shown, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + shown, e);
        } finally {
            for (Path f : new Path[] {out, err, in}) {
                if (f != null) f.toFile().delete();
            }
        }
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String read(Path f) throws IOException {
        return new String(Files.readAllBytes(f), StandardCharsets.UTF_8); // lenient: a client may print any bytes
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
