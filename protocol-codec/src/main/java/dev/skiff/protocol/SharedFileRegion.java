package dev.skiff.protocol;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A file region over a channel the log keeps open: Netty's DefaultFileRegion closes its channel when
 * released after the write; a segment's channel must outlive the response.
 */
final class SharedFileRegion extends DefaultFileRegion {

    SharedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log segment; leave it open.
    }
}
