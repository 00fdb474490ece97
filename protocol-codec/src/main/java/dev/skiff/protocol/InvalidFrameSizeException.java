package dev.skiff.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * A frame whose size prefix is negative or above the maximum request size. The connection cannot be
 * resynchronised, so the server should log it and close. A DecoderException so Netty passes it on unwrapped.
 */
public final class InvalidFrameSizeException extends DecoderException {

    private final int size;
    private final int maxSize;

    public InvalidFrameSizeException(int size, int maxSize) {
        super(
                size < 0
                        ? "Negative frame size " + size
                        : "Frame size " + size + " is larger than the maximum request size " + maxSize);
        this.size = size;
        this.maxSize = maxSize;
    }

    public int size() {
        return size;
    }

    public int maxSize() {
        return maxSize;
    }
}
