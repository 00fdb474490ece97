package dev.skiff.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the channels of segment and index files. The seam through which tests inject failing channels
 * (disk full, I/O errors); production uses {@link #DEFAULT}.
 */
@FunctionalInterface
public interface FileChannelFactory {
    FileChannelFactory DEFAULT = FileChannel::open;

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
