package dev.skiff.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The latest offset of each key, for one compaction pass, in bounded memory: keys are kept as 128-bit digests
 * (the first half of their SHA-256, so that no client can make two of its keys collide) in an open-addressing
 * table of three longs a slot, which grows as keys come in up to a cap (Kafka's dedupe buffer). A pass stops
 * mapping once the table is full and compacts up to where it got.
 */
final class OffsetMap {
    private static final int SLOT = 3; // digest high, digest low, offset + 1 (0: empty)
    private static final int FIRST_SLOTS = 1 << 10;

    private final int maxSlots;
    private final MessageDigest sha256;
    private long[] table = new long[FIRST_SLOTS * SLOT];
    private int size;
    private long high, low; // the digest of the last key hashed

    /** A map that takes at most {@code maxBytes} of heap (and never less than its first 24 KiB). */
    OffsetMap(long maxBytes) {
        long slots = Math.max(FIRST_SLOTS, Math.min(maxBytes / (SLOT * 8L), 1 << 27));
        this.maxSlots = Integer.highestOneBit((int) slots);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Keys recorded. */
    int size() {
        return size;
    }

    /** Whether {@code more} new keys fit without the table growing past its cap. */
    boolean hasRoomFor(int more) {
        return size + (long) more <= (long) maxSlots * 3 / 4;
    }

    /**
     * Records {@code offset} as the latest of {@code key} if it is later than what is recorded. The caller keeps
     * to the cap ({@link #hasRoomFor}); past it the table still grows.
     */
    void put(ByteBuffer key, long offset) {
        if ((long) (size + 1) * 4 > (long) slots() * 3) grow();
        hash(key);
        int i = find(table, high, low);
        if (table[i + 2] == 0) {
            table[i] = high;
            table[i + 1] = low;
            size++;
        }
        table[i + 2] = Math.max(table[i + 2], offset + 1);
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        hash(key);
        return table[find(table, high, low) + 2] - 1;
    }

    private int slots() {
        return table.length / SLOT;
    }

    /** The slot (as an index into {@code t}) holding the digest, or the empty one where it would go. */
    private static int find(long[] t, long high, long low) {
        int mask = t.length / SLOT - 1;
        for (int s = (int) (low ^ (low >>> 32)) & mask; ; s = (s + 1) & mask) {
            int i = s * SLOT;
            if (t[i + 2] == 0 || (t[i] == high && t[i + 1] == low)) return i;
        }
    }

    private void grow() {
        long[] old = table;
        long[] bigger = new long[old.length * 2];
        for (int i = 0; i < old.length; i += SLOT) {
            if (old[i + 2] == 0) continue;
            int j = find(bigger, old[i], old[i + 1]);
            bigger[j] = old[i];
            bigger[j + 1] = old[i + 1];
            bigger[j + 2] = old[i + 2];
        }
        table = bigger;
    }

    private void hash(ByteBuffer key) {
        sha256.update(key.duplicate());
        ByteBuffer d = ByteBuffer.wrap(sha256.digest());
        high = d.getLong();
        low = d.getLong();
    }
}
