package dev.skiff.protocol.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Entry point: {@code Generator <legacy schema dir> <current schema dir> <output source root>}.
 * Reads the request, response and header schemas of both Kafka releases, merges each pair and writes
 * one class per schema plus {@code ApiKeys} and {@code ErrorResponse}.
 *
 * <p>{@code Generator --records <package> <output source root> <schema dir>...} writes one class per schema
 * found in the directories (the key and value records of Kafka's internal topics) into {@code package},
 * without merging and without {@code ApiKeys}.
 */
public final class Generator {

    private Generator() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 4 && args[0].equals("--records")) {
            writeRecords(args[1], Path.of(args[2]), List.of(args).subList(3, args.length));
            return;
        }
        if (args.length != 3) {
            System.err.println("usage: Generator <legacy schema dir> <current schema dir> <output dir>");
            System.exit(2);
        }
        List<MessageSpec> specs = load(Path.of(args[0]), Path.of(args[1]));
        Path out = Path.of(args[2]);
        Path messageDir = out.resolve(MessageWriter.PACKAGE.replace('.', '/'));
        Files.createDirectories(messageDir);
        for (MessageSpec spec : specs) {
            writeIfChanged(messageDir.resolve(spec.className() + ".java"), new MessageWriter(spec).write());
        }
        Path apiKeys = out.resolve("dev/skiff/protocol/ApiKeys.java");
        writeIfChanged(apiKeys, new ApiKeysWriter(specs).write());
        writeIfChanged(
                out.resolve("dev/skiff/protocol/" + ErrorResponseWriter.CLASS + ".java"),
                new ErrorResponseWriter(specs).write());
        System.out.println("skiff protocol generator: " + specs.size() + " schemas written to " + out);
    }

    private static void writeRecords(String pkg, Path out, List<String> schemaDirs) throws IOException {
        Path dir = out.resolve(pkg.replace('.', '/'));
        Files.createDirectories(dir);
        int n = 0;
        for (String schemaDir : schemaDirs) {
            try (Stream<Path> files = Files.list(Path.of(schemaDir))) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    if (!f.getFileName().toString().endsWith(".json")) continue;
                    MessageSpec spec = SchemaReader.read(f);
                    writeIfChanged(dir.resolve(spec.className() + ".java"), new MessageWriter(spec, pkg).write());
                    n++;
                }
            }
        }
        System.out.println("skiff protocol generator: " + n + " record schemas written to " + dir);
    }

    /** Merged schemas by name; a schema only one release has is taken as it is. */
    static List<MessageSpec> load(Path legacyDir, Path currentDir) throws IOException {
        Map<String, MessageSpec> legacy = readDir(legacyDir);
        Map<String, MessageSpec> current = readDir(currentDir);
        Map<String, MessageSpec> merged = new TreeMap<>(legacy);
        current.forEach((name, spec) -> merged.merge(name, spec, SchemaMerger::merge));
        return new ArrayList<>(merged.values());
    }

    private static Map<String, MessageSpec> readDir(Path dir) throws IOException {
        Map<String, MessageSpec> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith("Request.json")
                        || file.endsWith("Response.json")
                        || file.equals("RequestHeader.json")
                        || file.equals("ResponseHeader.json")) {
                    MessageSpec spec = SchemaReader.read(f);
                    out.put(spec.name(), spec);
                }
            }
        }
        return out;
    }

    /** Leaves unchanged files alone so incremental compilation does not redo everything. */
    private static void writeIfChanged(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        if (Files.exists(file) && Files.readString(file).equals(content)) return;
        Files.writeString(file, content);
    }
}
