package dev.skiff.protocol.records;

import java.nio.ByteBuffer;

/**
 * One message of a magic 0 or 1 message set, after unwrapping compression: absolute offset, timestamp
 * ({@code -1} and {@link TimestampType#NO_TIMESTAMP_TYPE} for magic 0), key and value views (null if absent).
 */
public record LegacyMessage(
        long offset, byte magic, long timestamp, TimestampType timestampType, ByteBuffer key, ByteBuffer value) {}
