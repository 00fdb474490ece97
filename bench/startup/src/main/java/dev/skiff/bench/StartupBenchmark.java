package dev.skiff.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Time from start() to the first answered Metadata request, for Skiff (in memory, on disk) and Apache
 * Kafka's in-process KRaft broker: cold (first broker of a fresh JVM, one child JVM per sample) and warm
 * (later brokers of the same JVM), plus the heap and threads of an idle Skiff. Prints Markdown.
 *
 * <p>Options: {@code --cold N} child JVMs per contender (default 5), {@code --warm N} warm samples for Skiff
 * (default 50), {@code --kafka-warm N} for Kafka (default 15; each start takes seconds), {@code --skiff-only}.
 * {@code --cluster [--runs N] [--skiff-only]}: a three-broker cluster instead ({@link ClusterStartup}).
 */
public final class StartupBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child-cold")) {
            System.out.println("NANOS " + timeOneStart(Contender.valueOf(args[1])));
            System.exit(0); // Kafka leaves non-daemon threads behind
        }
        if (args.length == 2 && args[0].equals("--child-footprint")) {
            Footprint.Result[] r = Footprint.measure(Contender.valueOf(args[1]));
            System.out.println("HEAP " + r[0].heapBytes() + " THREADS " + r[0].threads() + " HEAP2 " + r[1].heapBytes()
                    + " THREADS2 " + r[1].threads() + " NAMES " + r[0].threadNames());
            System.exit(0);
        }
        if (args.length >= 1 && args[0].equals("--cluster")) {
            ClusterStartup.run(args);
            System.exit(0); // Kafka leaves non-daemon threads behind
        }
        int cold = 5, warm = 50, kafkaWarm = 15;
        boolean skiffOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cold" -> cold = Integer.parseInt(args[++i]);
                case "--warm" -> warm = Integer.parseInt(args[++i]);
                case "--kafka-warm" -> kafkaWarm = Integer.parseInt(args[++i]);
                case "--skiff-only" -> skiffOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Contender> contenders = new ArrayList<>(List.of(Contender.SKIFF_MEMORY, Contender.SKIFF_DISK));
        if (!skiffOnly) contenders.add(Contender.KAFKA_KRAFT);

        Map<Contender, Stats> coldStats = new EnumMap<>(Contender.class);
        Map<Contender, Stats> warmStats = new EnumMap<>(Contender.class);
        for (Contender c : contenders) {
            long[] samples = new long[cold];
            for (int i = 0; i < cold; i++)
                samples[i] = Long.parseLong(child("--child-cold", c).get("NANOS"));
            coldStats.put(c, Stats.of(samples));
            System.err.println("cold " + c + ": " + coldStats.get(c));
        }
        for (Contender c : contenders) {
            int n = c == Contender.KAFKA_KRAFT ? kafkaWarm : warm;
            int warmup = c == Contender.KAFKA_KRAFT ? 2 : 10;
            for (int i = 0; i < warmup; i++) timeOneStart(c);
            long[] samples = new long[n];
            for (int i = 0; i < n; i++) samples[i] = timeOneStart(c);
            warmStats.put(c, Stats.of(samples));
            System.err.println("warm " + c + ": " + warmStats.get(c));
        }
        Map<String, String> memory = child("--child-footprint", Contender.SKIFF_MEMORY);
        Map<String, String> disk = child("--child-footprint", Contender.SKIFF_DISK);
        printReport(contenders, coldStats, warmStats, memory, disk);
        System.exit(0);
    }

    /** Starts one broker, times start() to the first Metadata answer, stops it (untimed). */
    static long timeOneStart(Contender c) throws Exception {
        Contender.Prepared p = c.prepare();
        long t0 = System.nanoTime();
        StartedBroker b = p.start();
        MetadataProbe.awaitAnswer(b.host(), b.port(), 120_000);
        long took = System.nanoTime() - t0;
        b.close();
        return took;
    }

    /** Runs this class in a fresh JVM with the same classpath and reads its "KEY value ..." line. */
    private static Map<String, String> child(String mode, Contender c) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (mode.equals("--child-footprint")) cmd.add("-XX:+UseSerialGC");
        cmd.addAll(List.of(StartupBenchmark.class.getName(), mode, c.name()));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String line = null, l;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            while ((l = r.readLine()) != null) if (l.startsWith("NANOS ") || l.startsWith("HEAP ")) line = l;
        }
        if (p.waitFor() != 0 || line == null) throw new IllegalStateException(mode + " " + c + " failed");
        Map<String, String> out = new java.util.HashMap<>();
        String[] parts = line.split(" ", 10);
        for (int i = 0; i + 1 < parts.length; i += 2) out.put(parts[i], parts[i + 1]);
        return out;
    }

    private static void printReport(
            List<Contender> contenders,
            Map<Contender, Stats> cold,
            Map<Contender, Stats> warm,
            Map<String, String> memory,
            Map<String, String> disk) {
        System.out.printf(
                "Java %s (%s), %d CPUs, %s%n%n",
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        System.out.println("| broker | cold: median (min, n) | warm: median | warm: min | warm: p90 | warm n |");
        System.out.println("|---|---|---|---|---|---|");
        for (Contender c : contenders) {
            Stats cs = cold.get(c), ws = warm.get(c);
            System.out.printf(
                    "| %s | %.1f ms (%.1f, n=%d) | %.2f ms | %.2f ms | %.2f ms | %d |%n",
                    c.label, cs.medianMs(), cs.minMs(), cs.n(), ws.medianMs(), ws.minMs(), ws.p90Ms(), ws.n());
        }
        if (contenders.contains(Contender.KAFKA_KRAFT)) {
            System.out.println();
            for (Contender c : List.of(Contender.SKIFF_MEMORY, Contender.SKIFF_DISK)) {
                System.out.printf(
                        "%s vs Kafka: warm %.0fx faster, cold %.0fx faster (medians)%n",
                        c.label,
                        warm.get(Contender.KAFKA_KRAFT).medianMs() / warm.get(c).medianMs(),
                        cold.get(Contender.KAFKA_KRAFT).medianMs() / cold.get(c).medianMs());
            }
        }
        System.out.println();
        System.out.println(
                "Idle Skiff broker, after one Metadata request, 1 s idle and GC (heap used and live threads it adds):");
        System.out.println();
        System.out.println("| broker | first in a fresh JVM (incl. class statics) | each further one (mean of "
                + Footprint.MORE + ") |");
        System.out.println("|---|---|---|");
        for (var e : Map.of("Skiff, in memory", memory, "Skiff, on disk", disk).entrySet()) {
            Map<String, String> m = e.getValue();
            System.out.printf(
                    "| %s | %d KiB, %s threads | %d KiB, %s threads |%n",
                    e.getKey(),
                    Long.parseLong(m.get("HEAP")) / 1024,
                    m.get("THREADS"),
                    Long.parseLong(m.get("HEAP2")) / 1024,
                    m.get("THREADS2"));
        }
        System.out.println();
        System.out.println("Threads added (on disk): " + disk.get("NAMES"));
    }

    private StartupBenchmark() {}
}
