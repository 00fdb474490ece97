package dev.skiff.protocol.records;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * How many decompressed bytes one produce request may still read, shared by all its partitions: a small
 * compressed batch can claim gigabytes, and this bounds the work (decompression is streamed, so memory is
 * bounded separately). Charged before the bytes are read, from the sizes records declare; not thread-safe.
 */
public final class DecompressionBudget {
    /** Multiple of {@code message.max.bytes} one request may decompress in total (64 MiB at Kafka's default). */
    public static final int REQUEST_FACTOR = 64;

    private final long limit;
    private long remaining;

    public DecompressionBudget(long limit) {
        if (limit < 0) throw new IllegalArgumentException("negative budget " + limit);
        this.limit = limit;
        this.remaining = limit;
    }

    /** The budget of one produce request on a broker with this {@code message.max.bytes}. */
    public static DecompressionBudget forRequest(int messageMaxBytes) {
        return new DecompressionBudget((long) REQUEST_FACTOR * Math.max(0, messageMaxBytes));
    }

    public long remaining() {
        return remaining;
    }

    public long limit() {
        return limit;
    }

    /**
     * Takes {@code bytes} from the budget, or fails the partition with RECORD_LIST_TOO_LARGE and takes nothing
     * (the request's data decompresses to more than the broker reads for one request).
     */
    public void charge(long bytes) {
        if (bytes < 0 || bytes > remaining) throw exceeded();
        remaining -= bytes;
    }

    /** The error of a request whose data decompresses beyond the budget. */
    public ApiException exceeded() {
        return new ApiException(
                Errors.RECORD_LIST_TOO_LARGE,
                "Records decompress to more than the " + limit + " bytes one produce request may read");
    }
}
