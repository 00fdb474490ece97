package dev.skiff.it.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Java programs of Apache Kafka 4.x run in a JVM of their own, on a class path the build resolved (see the
 * exec-maven-plugin block of this module's pom): Kafka 4.x and the 0.8.1.1 client on this JVM's class path both
 * own the packages {@code kafka.*}. A child JVM also keeps {@code Exit.exit} and static state of the tools away
 * from the test JVM.
 */
public final class ChildJvm {

    /** Flags for a quick start on a small machine; these programs run briefly and lightly. */
    private static final List<String> JVM_FLAGS = List.of(
            "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Djava.awt.headless=true");

    /** What a program printed (stdout and stderr together) and how it ended. */
    public record Result(int exitCode, String output) {}

    private ChildJvm() {}

    /** The class path the build wrote for {@code name} ("kafka-broker", "kafka-tools"). */
    public static String classpath(String name) {
        Path file =
                Path.of(System.getProperty("basedir", ".")).resolve("target").resolve(name + ".classpath");
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    file + " is missing: run the build through generate-test-resources "
                            + "(mvn -pl integration-tests test does)",
                    e);
        }
    }

    static List<String> command(String classpath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Starts a long-running program with its output going to {@code log}. */
    public static Process start(String classpath, String mainClass, List<String> args, Path log) {
        try {
            return new ProcessBuilder(command(classpath, mainClass, args))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass, e);
        }
    }

    /**
     * Runs a program to its end with {@code stdin} as its input (null: none) and returns what it printed; kills it
     * and fails at the timeout.
     */
    public static Result run(String classpath, String mainClass, List<String> args, String stdin, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("kafka-child-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command(classpath, mainClass, args))
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(mainClass + " " + args + " did not finish in " + timeout + "; it printed:\n"
                        + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + mainClass, e);
        } finally {
            if (out != null) out.toFile().delete();
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
