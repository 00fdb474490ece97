package dev.skiff.log;

import java.nio.ByteBuffer;

/**
 * The batches of one append call: walked once to check their framing, give them offsets (rewriting each
 * base offset in place) and remember what segments and indexes need to know about them.
 */
final class AppendBatches {
    final ByteBuffer data; // position..limit = all batches, back to back
    final int count;
    final int[] relativePosition; // start of each batch relative to data.position()
    final int[] size;
    final long[] baseOffset;
    final long[] maxTimestamp;
    final long firstOffset;
    final long lastOffset;
    final long maxTimestampOfAll;
    final long records;

    private AppendBatches(
            ByteBuffer data,
            int count,
            int[] relativePosition,
            int[] size,
            long[] baseOffset,
            long[] maxTimestamp,
            long firstOffset,
            long lastOffset,
            long maxTs,
            long records) {
        this.data = data;
        this.count = count;
        this.relativePosition = relativePosition;
        this.size = size;
        this.baseOffset = baseOffset;
        this.maxTimestamp = maxTimestamp;
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
        this.maxTimestampOfAll = maxTs;
        this.records = records;
    }

    int totalBytes() {
        return data.remaining();
    }

    /**
     * Frames the batches in {@code buffer} and assigns offsets from {@code nextOffset}. The caller has validated
     * the batches; this only refuses what would corrupt the log (a cut batch, a wrong magic).
     */
    static AppendBatches assignOffsets(ByteBuffer buffer, long nextOffset) {
        return frame(buffer, nextOffset, true);
    }

    /**
     * Frames batches copied from a leader, keeping their offsets: the first must start at or after
     * {@code nextOffset} and each after the one before (gaps are allowed: compaction leaves them).
     */
    static AppendBatches keepOffsets(ByteBuffer buffer, long nextOffset) {
        return frame(buffer, nextOffset, false);
    }

    private static AppendBatches frame(ByteBuffer buffer, long nextOffset, boolean assign) {
        ByteBuffer data = buffer.duplicate();
        int start = data.position(), end = data.limit();
        int n = 0;
        for (int at = start; at < end; n++) {
            String problem = BatchHeader.check(data, at, end - at, false);
            if (problem != null)
                throw new IllegalArgumentException("batch " + n + " at byte " + (at - start) + ": " + problem);
            at += BatchHeader.totalSize(data, at);
        }
        int[] pos = new int[n], size = new int[n];
        long[] base = new long[n], maxTs = new long[n];
        long next = nextOffset, records = 0, maxOfAll = -1;
        for (int i = 0, at = start; i < n; i++) {
            pos[i] = at - start;
            size[i] = BatchHeader.totalSize(data, at);
            if (assign) data.putLong(at + BatchHeader.BASE_OFFSET, next);
            else if (BatchHeader.baseOffset(data, at) < next)
                throw new IllegalArgumentException("batch " + i + " starts at offset "
                        + BatchHeader.baseOffset(data, at) + ", below the next offset " + next);
            base[i] = BatchHeader.baseOffset(data, at);
            next = base[i] + BatchHeader.lastOffsetDelta(data, at) + 1L;
            maxTs[i] = BatchHeader.maxTimestamp(data, at);
            maxOfAll = Math.max(maxOfAll, maxTs[i]);
            records += Math.max(0, BatchHeader.recordCount(data, at));
            at += size[i];
        }
        long first = n == 0 ? nextOffset : base[0];
        return new AppendBatches(data, n, pos, size, base, maxTs, first, next - 1, maxOfAll, records);
    }
}
