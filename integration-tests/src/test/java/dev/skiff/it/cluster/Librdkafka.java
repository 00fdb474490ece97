package dev.skiff.it.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** kcat (librdkafka's command line client) as a process that reads lines from its input. */
final class Librdkafka {

    private Librdkafka() {}

    record Result(int exitCode, String stdout, String stderr) {}

    /** The kcat (or older kafkacat) binary, or null when not installed. */
    static String kcat() {
        for (String name : List.of("kcat", "kafkacat")) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p.toString();
            }
        }
        return null;
    }

    static Run start(String... command) {
        try {
            Path out = Files.createTempFile("kcat-", ".out");
            Path err = Files.createTempFile("kcat-", ".err");
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Run(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Run {
        private final Process process;
        private final Path out;
        private final Path err;
        private final OutputStream in;

        Run(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
            this.in = process.getOutputStream();
        }

        void write(String text) throws IOException {
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Closes its input and waits for its end; kills it at the timeout. */
        Result finish(Duration timeout) throws IOException, InterruptedException {
            in.close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("kcat did not finish in " + timeout + ":\n" + Files.readString(err));
            }
            try {
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }
}
