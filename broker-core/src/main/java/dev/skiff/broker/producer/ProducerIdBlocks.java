package dev.skiff.broker.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Producer ids reserved a block at a time, like Kafka's controller hands out blocks of 1000: the file holds
 * the first id of the next unreserved block and is rewritten (temp file, fsync, atomic rename) before an id
 * of a new block is given out. A crash loses at most the rest of a block, never repeats an id.
 */
final class ProducerIdBlocks implements ProducerIds {

    static final long BLOCK_SIZE = 1000;

    private final Path file;
    private long next;
    private long blockEnd;

    ProducerIdBlocks(Path file) {
        this.file = file;
        long saved = read(file);
        this.next = saved;
        this.blockEnd = saved; // nothing reserved yet by this process
    }

    @Override
    public synchronized long next() {
        if (next >= blockEnd) {
            long end = next + BLOCK_SIZE;
            write(end);
            blockEnd = end;
        }
        return next++;
    }

    private static long read(Path file) {
        try {
            if (!Files.exists(file)) return 0;
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " does not hold a producer id: " + e.getMessage(), e);
        }
    }

    private void write(long nextBlock) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((nextBlock + "\n").getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve producer ids in " + file + ": " + e.getMessage(), e);
        }
    }
}
