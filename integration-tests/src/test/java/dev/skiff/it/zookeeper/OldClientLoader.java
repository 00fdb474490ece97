package dev.skiff.it.zookeeper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Kafka 0.8.1.1 client with its ZooKeeper 3.3.4 and zkclient 0.3, in a class loader of its own whose
 * parent is the platform loader: nothing of it meets the broker's ZooKeeper 3.9.4 or this module's
 * classpath. The build copies its jars into {@code target/kafka08-zk-client}.
 */
final class OldClientLoader {

    static final String DIR_PROPERTY = "skiff.it.kafka08.zk.dir";
    private static URLClassLoader loader;

    private OldClientLoader() {}

    static synchronized ClassLoader get() {
        if (loader == null) {
            loader = new URLClassLoader("kafka-0.8.1.1", jars(), ClassLoader.getPlatformClassLoader());
            quietLogging(loader);
        }
        return loader;
    }

    private static URL[] jars() {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/kafka08-zk-client"));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars =
                    files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith("zkclient"))) {
                throw new IllegalStateException("no 0.8.1.1 client jars in " + dir.toAbsolutePath()
                        + "; run the build (mvn test) so maven-dependency-plugin copies them");
            }
            URL[] urls = new URL[jars.size()];
            for (int i = 0; i < urls.length; i++) urls[i] = jars.get(i).toUri().toURL();
            return urls;
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }

    /** The 0.8 client, zkclient and ZooKeeper 3.3.4 log through log4j 1.2: warnings only, to stdout. */
    private static void quietLogging(ClassLoader cl) {
        try {
            cl.loadClass("org.apache.log4j.BasicConfigurator")
                    .getMethod("configure")
                    .invoke(null);
            Class<?> level = cl.loadClass("org.apache.log4j.Level");
            Object root = cl.loadClass("org.apache.log4j.Logger")
                    .getMethod("getRootLogger")
                    .invoke(null);
            root.getClass()
                    .getMethod("setLevel", level)
                    .invoke(root, level.getField("WARN").get(null));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot configure log4j of the 0.8 client", e);
        }
    }
}
