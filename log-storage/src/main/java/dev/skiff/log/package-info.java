/**
 * Partition logs. The broker opens one {@link dev.skiff.log.SegmentedLog#open(java.nio.file.Path, dev.skiff.log.LogConfig)}
 * per partition directory (or {@link dev.skiff.log.memory.InMemoryLog#create(dev.skiff.log.LogConfig)} in tests).
 *
 * <p>On disk, per directory: {@code <base>.log} segments of record batches v2 as received, {@code .index}
 * (relative offset of a batch start, its position; one entry per index.interval.bytes), {@code .timeindex}
 * (largest timestamp so far, relative offset of its batch), {@code .txnindex} (aborted transactions whose
 * marker is in the segment; only once there is one), {@code log-start-offset.checkpoint}, and
 * {@code .clean_shutdown} while closed cleanly. Indexes are written with positional I/O and searched in heap
 * arrays rather than memory-mapped: no pre-allocation, trimming or unmapping, at the price of heap equal to
 * the index files' size.
 */
package dev.skiff.log;
