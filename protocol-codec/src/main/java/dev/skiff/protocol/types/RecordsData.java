package dev.skiff.protocol.types;

/**
 * The bytes of a {@code records} field, kept opaque: the broker stores and serves record batches without
 * parsing them. Either a slice of the request buffer or a region of a segment file (written with zero copy).
 */
public sealed interface RecordsData permits BufferRecords, FileRecords {
    int sizeInBytes();
}
