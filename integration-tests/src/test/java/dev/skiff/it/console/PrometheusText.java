package dev.skiff.it.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: every line must be a HELP, a TYPE or a
 * sample of a declared family, names and labels must be well formed, label values properly escaped, no series
 * may repeat, and a histogram's buckets must be cumulative and end with +Inf equal to its _count. Anything else
 * throws with the line.
 */
final class PrometheusText {

    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    final Map<String, String> types = new LinkedHashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PrometheusText parse(String text) {
        PrometheusText out = new PrometheusText();
        Set<String> seen = new HashSet<>();
        Set<String> helped = new HashSet<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) continue;
            if (line.startsWith("# HELP ")) {
                String name = line.substring(7).split(" ", 2)[0];
                check(NAME.matcher(name).matches(), lineNo, line);
                check(helped.add(name), lineNo, "second HELP: " + line);
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                check(p.length == 2 && NAME.matcher(p[0]).matches() && TYPES.contains(p[1]), lineNo, line);
                check(out.types.put(p[0], p[1]) == null, lineNo, "second TYPE: " + line);
            } else if (line.startsWith("#")) {
                continue; // comments are allowed
            } else {
                Sample s = sample(line, lineNo);
                check(out.familyOf(s.name) != null, lineNo, "sample of an undeclared family: " + line);
                check(seen.add(s.name + s.labels), lineNo, "repeated series: " + line);
                out.samples.add(s);
            }
        }
        out.checkHistograms();
        return out;
    }

    private static Sample sample(String line, int lineNo) {
        int brace = line.indexOf('{');
        int space;
        String name;
        Map<String, String> labels = new LinkedHashMap<>();
        if (brace >= 0 && brace < line.indexOf(' ')) {
            name = line.substring(0, brace);
            int close = line.indexOf("} ", brace);
            check(close > 0, lineNo, line);
            String body = line.substring(brace + 1, close);
            Matcher m = LABEL.matcher(body);
            int at = 0;
            while (at < body.length()) {
                check(m.find(at) && m.start() == at, lineNo, "bad label at " + at + ": " + line);
                check(labels.put(m.group(1), m.group(2)) == null, lineNo, "repeated label: " + line);
                at = m.end();
                if (at < body.length()) {
                    check(body.charAt(at) == ',', lineNo, line);
                    at++;
                }
            }
            space = close + 1;
        } else {
            space = line.indexOf(' ');
            check(space > 0, lineNo, line);
            name = line.substring(0, space);
        }
        check(NAME.matcher(name).matches(), lineNo, line);
        String[] rest = line.substring(space + 1).split(" ");
        check(rest.length == 1 || rest.length == 2, lineNo, line);
        double value;
        try {
            value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
            if (rest.length == 2) Long.parseLong(rest[1]);
        } catch (NumberFormatException e) {
            throw new AssertionError("line " + lineNo + ": bad number: " + line);
        }
        return new Sample(name, labels, value);
    }

    String familyOf(String sampleName) {
        if (types.containsKey(sampleName)) return sampleName;
        for (String suffix : List.of("_total", "_bucket", "_count", "_sum", "_created")) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(base)) return base;
            }
        }
        return null;
    }

    private void checkHistograms() {
        Map<String, List<Sample>> buckets = new HashMap<>();
        for (Sample s : samples) {
            if (!s.name.endsWith("_bucket")) continue;
            Map<String, String> rest = new LinkedHashMap<>(s.labels);
            rest.remove("le");
            buckets.computeIfAbsent(s.name + rest, k -> new ArrayList<>()).add(s);
        }
        buckets.forEach((series, list) -> {
            double last = 0;
            double lastBound = Double.NEGATIVE_INFINITY;
            for (Sample s : list) {
                double bound = s.labels.get("le").equals("+Inf")
                        ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(s.labels.get("le"));
                check(bound > lastBound, 0, "buckets out of order: " + series);
                check(s.value >= last, 0, "buckets not cumulative: " + series);
                last = s.value;
                lastBound = bound;
            }
            check(lastBound == Double.POSITIVE_INFINITY, 0, "no +Inf bucket: " + series);
        });
    }

    /** The value of the one series with exactly these labels; fails when it is absent. */
    double value(String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
        for (Sample s : samples) if (s.name.equals(name) && s.labels.equals(want)) return s.value;
        throw new AssertionError("no series " + name + want + " among " + names());
    }

    /** The sum over every series of {@code name} whose labels include these. */
    double sum(String name, String... labels) {
        double total = 0;
        for (Sample s : samples) {
            if (!s.name.equals(name)) continue;
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2) match &= labels[i + 1].equals(s.labels.get(labels[i]));
            if (match) total += s.value;
        }
        return total;
    }

    Set<String> names() {
        Set<String> out = new java.util.TreeSet<>();
        for (Sample s : samples) out.add(s.name);
        return out;
    }

    private static void check(boolean ok, int lineNo, String what) {
        if (!ok) throw new AssertionError("line " + lineNo + ": " + what);
    }
}
