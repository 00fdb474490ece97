package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One decoded record. Key and value are read-only views into the batch (or into a decompressed copy for
 * compressed batches); {@code null} when the record has none.
 */
public record Record(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {

    public Record {
        headers = headers == null ? List.of() : headers;
    }

    public boolean hasKey() {
        return key != null;
    }

    public static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
