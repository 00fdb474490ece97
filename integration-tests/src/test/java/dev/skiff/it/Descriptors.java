package dev.skiff.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A process's open descriptors as Linux's /proc lists them: what tests count to see that the broker's files are
 * held, capped or let go. The descriptor of a file deleted since it was opened reads as its path and " (deleted)".
 */
public final class Descriptors {

    private Descriptors() {}

    /** The files under {@code dir} that process {@code pid} holds open, one entry per descriptor. */
    public static List<String> under(long pid, Path dir) throws IOException {
        Path real = Files.exists(dir) ? dir.toRealPath() : dir.toAbsolutePath().normalize();
        String prefix = real + "/";
        List<Path> fds;
        try (Stream<Path> all = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = all.toList();
        }
        List<String> out = new ArrayList<>();
        for (Path fd : fds) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith(prefix)) out.add(target);
            } catch (IOException e) {
                // closed since the listing
            }
        }
        return out;
    }

    /** How many descriptors this JVM holds on files under {@code dir}. */
    public static long countUnder(Path dir) throws IOException {
        return under(ProcessHandle.current().pid(), dir).size();
    }

    /** How many descriptors process {@code pid} holds on files under {@code dir} that have since been deleted. */
    public static long deletedUnder(long pid, Path dir) throws IOException {
        return under(pid, dir).stream().filter(t -> t.endsWith(" (deleted)")).count();
    }
}
