package dev.skiff.log;

/**
 * An aborted transaction as a read_committed fetch must be told of it: its producer, its first offset, the
 * offset of its abort marker ({@code lastOffset}) and the partition's last stable offset after the abort.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
