package dev.skiff.broker.txn;

import static dev.skiff.broker.InternalRecordFields.writeString;
import static dev.skiff.broker.InternalRecordFields.readString;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Key and value layout of the transaction log. Key and the first part of the value are Kafka's own
 * (TransactionLogKey v0, TransactionLogValue v0), so tools that decode Kafka's __transaction_state read ours;
 * after them comes a Skiff section Kafka's decoder never reaches: the last epoch and the offsets committed in
 * the transaction (Kafka keeps those in __consumer_offsets as transactional records; Skiff keeps them here
 * until the commit, so a commit interrupted by a crash can still store them).
 */
final class TransactionRecords {

    private static final short KEY_VERSION = 0;
    private static final short VALUE_VERSION = 0;
    private static final short SKIFF_SECTION_VERSION = 1;

    private TransactionRecords() {}

    static byte[] key(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putShort(KEY_VERSION).putShort((short) id.length).put(id).array();
    }

    /** The transactional id of a key, or null for a key of another version. */
    static String readKey(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        if (b.getShort() != KEY_VERSION) return null;
        return readString(b);
    }

    static byte[] value(TransactionMetadata m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(VALUE_VERSION);
            out.writeLong(m.producerId());
            out.writeShort(m.producerEpoch());
            out.writeInt(m.timeoutMs());
            out.writeByte(m.state().id);
            Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
            for (TopicPartition tp : m.partitions()) byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
            out.writeInt(byTopic.size());
            for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                writeString(out, e.getKey());
                out.writeInt(e.getValue().size());
                for (int p : e.getValue()) out.writeInt(p);
            }
            out.writeLong(m.lastUpdateTimeMs());
            out.writeLong(m.startTimeMs());
            // Skiff's section
            out.writeShort(SKIFF_SECTION_VERSION);
            out.writeShort(m.lastProducerEpoch());
            out.writeInt(m.offsets().size());
            for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> g : m.offsets().entrySet()) {
                writeString(out, g.getKey());
                out.writeInt(g.getValue().size());
                for (Map.Entry<TopicPartition, CommittedOffset> o : g.getValue().entrySet()) {
                    writeString(out, o.getKey().topic());
                    out.writeInt(o.getKey().partition());
                    out.writeLong(o.getValue().offset());
                    out.writeInt(o.getValue().leaderEpoch());
                    writeString(out, o.getValue().metadata());
                    out.writeLong(o.getValue().commitTimestamp());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static TransactionMetadata readValue(String transactionalId, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        if (version != VALUE_VERSION) throw new IllegalArgumentException("transaction log value version " + version);
        long producerId = b.getLong();
        short epoch = b.getShort();
        int timeout = b.getInt();
        TransactionState state = TransactionState.forId(b.get());
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        int topics = b.getInt();
        for (int i = 0; i < topics; i++) {
            String topic = readString(b);
            int n = b.getInt();
            for (int j = 0; j < n; j++) partitions.add(new TopicPartition(topic, b.getInt()));
        }
        long updated = b.getLong();
        long started = b.getLong();
        short lastEpoch = -1;
        Map<String, Map<TopicPartition, CommittedOffset>> offsets = new LinkedHashMap<>();
        if (b.remaining() >= 2 && b.getShort() == SKIFF_SECTION_VERSION) {
            lastEpoch = b.getShort();
            int groups = b.getInt();
            for (int i = 0; i < groups; i++) {
                String group = readString(b);
                int n = b.getInt();
                Map<TopicPartition, CommittedOffset> g = new LinkedHashMap<>();
                for (int j = 0; j < n; j++) {
                    TopicPartition tp = new TopicPartition(readString(b), b.getInt());
                    g.put(tp, new CommittedOffset(b.getLong(), b.getInt(), readString(b), b.getLong()));
                }
                offsets.put(group, g);
            }
        }
        return new TransactionMetadata(transactionalId, producerId, epoch, lastEpoch, timeout, state, partitions,
                offsets, started, updated);
    }
}
