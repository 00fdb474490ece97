package dev.skiff.it.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by the build with the java source launcher and Apache Kafka's resolved jars as its class path: writes that
 * class path to the file named by its argument, for the tests to start Kafka and its tools in child JVMs.
 */
public final class WriteClasspath {
    private WriteClasspath() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, System.getProperty("java.class.path"));
    }
}
