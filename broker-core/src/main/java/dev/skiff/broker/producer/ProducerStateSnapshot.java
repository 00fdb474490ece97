package dev.skiff.broker.producer;

import dev.skiff.broker.ProducerStateTable;
import dev.skiff.log.Log;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's producer state as its {@code <offset>.snapshot} file keeps it, in Kafka's layout (version 1 of
 * its ProducerStateManager, big-endian):
 *
 * <pre>
 * Version int16 (1), Crc uint32 (CRC32C of everything after it), ProducerEntries: int32 count, then per entry
 *   ProducerId int64, Epoch int16, LastSequence int32, LastOffset int64, OffsetDelta int32, Timestamp int64,
 *   CoordinatorEpoch int32, CurrentTxnFirstOffset int64
 * </pre>
 *
 * The snapshot at offset N covers every batch below N. Where Kafka writes one entry per producer (its last
 * batch), Skiff writes one per batch it keeps for duplicate detection (up to five), oldest first, so a retry
 * of any of them is still recognised after a restart; Kafka's reader would keep the last, which is Kafka's own
 * entry. A producer known only by its epoch has LastSequence -1; one with only an open transaction here has
 * Epoch -1. CoordinatorEpoch is that of the last marker written for the producer (-1: none). A snapshot that does not decode is skipped with a warning and
 * the next older one is tried, then the log from its start: a snapshot never fails a load.
 */
public final class ProducerStateSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateSnapshot.class);
    static final short VERSION = 1;
    static final int HEADER = 2 + 4 + 4, ENTRY = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

    /** One decoded entry: a kept batch (or a producer's epoch) and its open transaction's first offset. */
    public record Entry(ProducerStateTable.SnapshotEntry batch, long currentTxnFirstOffset) {}

    /** A snapshot read back: the offset it covers up to, and its entries in file order. */
    public record Loaded(long offset, List<Entry> entries) {}

    private ProducerStateSnapshot() {}

    /**
     * The bytes of a snapshot of {@code producers} and the open transactions {@code open} (producer id to the
     * first offset of its transaction in the partition).
     */
    public static ByteBuffer encode(ProducerStateTable producers, Map<Long, Long> open) {
        List<ProducerStateTable.SnapshotEntry> batches = producers.snapshotEntries();
        List<Long> openOnly = new ArrayList<>();
        for (long id : open.keySet()) {
            if (batches.stream().noneMatch(b -> b.producerId() == id)) openOnly.add(id);
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER + ENTRY * (batches.size() + openOnly.size()));
        buf.putShort(VERSION).putInt(0).putInt(batches.size() + openOnly.size());
        for (ProducerStateTable.SnapshotEntry b : batches) {
            int delta = (int) (b.lastOffset() - b.firstOffset());
            putEntry(
                    buf,
                    b.producerId(),
                    b.epoch(),
                    b.lastSeq(),
                    b.lastOffset(),
                    delta,
                    b.timestamp(),
                    b.coordinatorEpoch(),
                    open.getOrDefault(b.producerId(), -1L));
        }
        for (long id : openOnly) putEntry(buf, id, (short) -1, -1, open.get(id), 0, -1, -1, open.get(id));
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 6, buf.position() - 6);
        buf.putInt(2, (int) crc.getValue());
        return buf.flip();
    }

    private static void putEntry(
            ByteBuffer buf,
            long id,
            short epoch,
            int lastSeq,
            long lastOffset,
            int delta,
            long ts,
            int coordinatorEpoch,
            long txnFirst) {
        buf.putLong(id)
                .putShort(epoch)
                .putInt(lastSeq)
                .putLong(lastOffset)
                .putInt(delta)
                .putLong(ts)
                .putInt(coordinatorEpoch)
                .putLong(txnFirst);
    }

    /** The entries of a snapshot file, or an exception saying why they cannot be trusted. */
    public static List<Entry> decode(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate();
        if (b.remaining() < HEADER) throw new IllegalArgumentException(b.remaining() + " bytes is too short");
        int start = b.position();
        short version = b.getShort();
        if (version != VERSION) throw new IllegalArgumentException("version " + version + ", not " + VERSION);
        long stored = Integer.toUnsignedLong(b.getInt());
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        if (crc.getValue() != stored) throw new IllegalArgumentException("CRC32C mismatch");
        int count = b.getInt();
        if (count < 0 || (long) count * ENTRY != b.remaining())
            throw new IllegalArgumentException(count + " entries do not fill " + (b.limit() - start) + " bytes");
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long id = b.getLong();
            short epoch = b.getShort();
            int lastSeq = b.getInt();
            long lastOffset = b.getLong();
            int delta = b.getInt();
            long ts = b.getLong();
            int coordinatorEpoch = b.getInt();
            long txnFirst = b.getLong();
            if (id < 0 || delta < 0 || lastOffset < 0) throw new IllegalArgumentException("entry " + i + " is invalid");
            int firstSeq = lastSeq < 0 ? -1 : firstSequence(lastSeq, delta);
            out.add(new Entry(
                    new ProducerStateTable.SnapshotEntry(
                            id, epoch, firstSeq, lastSeq, lastOffset - delta, lastOffset, ts, coordinatorEpoch),
                    txnFirst));
        }
        return out;
    }

    /** The sequence {@code delta} before {@code lastSeq}, wrapping as Kafka's sequences do. */
    static int firstSequence(int lastSeq, int delta) {
        long first = (long) lastSeq - delta;
        return (int) (first < 0 ? first + Integer.MAX_VALUE + 1L : first);
    }

    /**
     * The newest snapshot of {@code log} that decodes (within its start and end), or null when none does; the
     * ones that do not are skipped with a warning.
     */
    public static Loaded newest(Log log) {
        List<Long> offsets = log.producerSnapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            ByteBuffer bytes = log.readProducerSnapshot(offset);
            if (bytes == null) continue; // the log said why
            try {
                List<Entry> entries = decode(bytes);
                if (offset < log.logStartOffset() || offset > log.logEndOffset()) continue;
                return new Loaded(offset, entries);
            } catch (RuntimeException e) {
                LOG.warn("Ignoring the producer snapshot at offset {} of {}: {}", offset, log, e.getMessage());
            }
        }
        return null;
    }
}
