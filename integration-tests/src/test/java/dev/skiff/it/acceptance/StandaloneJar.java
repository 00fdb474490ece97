package dev.skiff.it.acceptance;

import java.nio.file.Path;

/** Where the build leaves the standalone jar (broker-server's shaded jar), which the acceptance tests run. */
final class StandaloneJar {
    static final Path PATH = Path.of("..", "broker-server", "target", "skiff-server.jar")
            .toAbsolutePath()
            .normalize();

    private StandaloneJar() {}
}
