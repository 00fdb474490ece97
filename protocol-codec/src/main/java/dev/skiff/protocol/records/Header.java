package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A record header: a non-null UTF-8 key and a value that may be null. */
public record Header(String key, ByteBuffer value) {

    public Header {
        if (key == null) throw new IllegalArgumentException("header key is null");
    }

    public static Header of(String key, byte[] value) {
        return new Header(key, value == null ? null : ByteBuffer.wrap(value));
    }

    byte[] keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
