package dev.skiff.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resident memory of an idle standalone broker ({@code java -jar skiff-server.jar}, default JVM flags unless
 * given after the jar): started on a free port with a fresh data dir, left idle, then its VmRSS read from
 * /proc (Linux only). Prints the median of the runs.
 *
 * <p>Arguments: {@code JAR [--runs N] [--idle-ms MS] [JVM flags...]}.
 */
public final class StandaloneRss {

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int runs = 5;
        long idleMs = 5000;
        List<String> flags = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle-ms" -> idleMs = Long.parseLong(args[++i]);
                default -> flags.add(args[i]);
            }
        }
        long[] rss = new long[runs];
        int threads = 0;
        for (int r = 0; r < runs; r++) {
            Path data = Files.createTempDirectory("skiff-rss-");
            List<String> cmd = new ArrayList<>();
            cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            cmd.addAll(flags);
            cmd.addAll(List.of(
                    "-jar",
                    jar,
                    "--port",
                    "0",
                    "--data-dir",
                    data.resolve("data").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("Skiff is listening")) {
                    /* log lines */
                }
                if (line == null) throw new IllegalStateException("the broker did not start");
                Thread.sleep(idleMs);
                Path status = Path.of("/proc", Long.toString(p.pid()), "status");
                for (String s : Files.readAllLines(status)) {
                    if (s.startsWith("VmRSS:")) rss[r] = Long.parseLong(s.replaceAll("[^0-9]", ""));
                    if (s.startsWith("Threads:")) threads = Integer.parseInt(s.replaceAll("[^0-9]", ""));
                }
                System.err.printf("run %d: %d KiB, %d threads%n", r + 1, rss[r], threads);
            } finally {
                p.destroy();
                p.waitFor();
                deleteQuietly(data);
            }
        }
        Arrays.sort(rss);
        System.out.printf(
                "Idle standalone broker, %s: RSS median %.1f MiB (min %.1f, max %.1f, n=%d), %d threads%n",
                flags.isEmpty() ? "default JVM flags" : String.join(" ", flags),
                rss[runs / 2] / 1024.0,
                rss[0] / 1024.0,
                rss[runs - 1] / 1024.0,
                runs,
                threads);
    }

    private static void deleteQuietly(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    private StandaloneRss() {}
}
