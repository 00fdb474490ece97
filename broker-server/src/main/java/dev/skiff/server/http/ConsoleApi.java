package dev.skiff.server.http;

import dev.skiff.broker.AppendOrigin;
import dev.skiff.broker.Broker;
import dev.skiff.broker.IsolationLevel;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.metrics.BrokerGauges;
import dev.skiff.broker.metrics.ClientConnection;
import dev.skiff.broker.metrics.TopicMeters;
import dev.skiff.broker.txn.TransactionMetadata;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.Header;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatchBuilder;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.RecordIterator;
import dev.skiff.protocol.types.BufferRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the console's page asks for and does, as JSON-ready maps: topics and their partitions, messages of a
 * partition, producing one message, creating and deleting topics, groups with their lag, open transactions,
 * connected clients and the running counts the page turns into rates. Every rule about what a request may ask
 * (limits, names, ranges) is here; {@link HttpHandler} only routes.
 */
final class ConsoleApi {

    /** Messages one browse returns at most, and the bytes it reads at most. */
    static final int MAX_MESSAGES = 500;

    static final int MAX_READ_BYTES = 4 * 1024 * 1024;
    /** Bytes of a key, value or header shown; the rest is cut (and the cut flagged). */
    static final int MAX_SHOWN_BYTES = 64 * 1024;

    /** A request the console refuses: an HTTP status and a message the page shows. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final Broker broker;

    ConsoleApi(Broker broker) {
        this.broker = broker;
    }

    // ---- topics

    Object topics() {
        List<Object> out = new ArrayList<>();
        Map<String, TopicMeters> meters = broker.metrics().topics();
        for (Topic t : sortedTopics()) {
            long messages = 0;
            long size = 0;
            for (Partition p : t.partitions()) {
                messages += p.highWatermark() - p.logStartOffset();
                size += safeSize(p);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("internal", t.internal());
            m.put("partitions", t.partitions().size());
            m.put("messages", messages);
            m.put("size", size);
            TopicMeters tm = meters.get(t.name());
            m.put("messagesIn", tm == null ? 0 : tm.messagesIn.count());
            m.put("bytesOut", tm == null ? 0 : tm.bytesOut.count());
            out.add(m);
        }
        return out;
    }

    Object topic(String name) {
        Topic t = topicOr404(name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("id", t.id().toString());
        m.put("internal", t.internal());
        List<Object> parts = new ArrayList<>();
        for (Partition p : t.partitions()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("partition", p.index());
            pm.put("logStartOffset", p.logStartOffset());
            pm.put("highWatermark", p.highWatermark());
            pm.put("lastStableOffset", p.lastStableOffset());
            pm.put("size", safeSize(p));
            pm.put("segments", p.log().segmentBaseOffsets().size());
            parts.add(pm);
        }
        m.put("partitions", parts);
        Map<String, Object> configs = new LinkedHashMap<>();
        for (String key : List.of(
                "cleanup.policy",
                "retention.ms",
                "retention.bytes",
                "segment.bytes",
                "max.message.bytes",
                "message.timestamp.type",
                "min.insync.replicas")) {
            String v = broker.topics().effectiveConfig(t, key);
            if (v != null) configs.put(key, v);
        }
        new java.util.TreeMap<>(t.configs()).forEach(configs::put);
        m.put("configs", configs);
        m.put("overrides", new ArrayList<>(new java.util.TreeSet<>(t.configs().keySet())));
        return m;
    }

    Object createTopic(String name, String partitionsText) {
        if (name == null || name.isBlank()) throw new Refused(400, "A topic needs a name");
        name = name.trim();
        int partitions = intParam(partitionsText, "partitions", 1, 1, broker.config().autoCreatePartitionsMax);
        try {
            TopicManager.validateName(name);
        } catch (RuntimeException e) {
            throw new Refused(400, e.getMessage());
        }
        if (name.startsWith("__")) throw new Refused(400, "Names starting with __ are kept for internal topics");
        if (broker.topics().get(name) != null) throw new Refused(409, "Topic " + name + " already exists");
        try {
            if (broker.controller() != null) {
                throw new Refused(400, "In a cluster, create topics with the Admin API (kafka-topics.sh)");
            }
            broker.topics().create(name, partitions, Map.of());
        } catch (ApiException | IllegalArgumentException | IllegalStateException e) {
            throw new Refused(400, e.getMessage());
        }
        return Map.of("name", name, "partitions", partitions);
    }

    Object deleteTopic(String name) {
        Topic t = topicOr404(name);
        if (t.internal()) throw new Refused(400, "Internal topics cannot be deleted");
        if (broker.controller() != null) {
            throw new Refused(400, "In a cluster, delete topics with the Admin API (kafka-topics.sh)");
        }
        boolean deleted = broker.topics().delete(t.name());
        return Map.of("name", t.name(), "deleted", deleted);
    }

    // ---- messages

    /**
     * Up to {@code limit} messages of a partition from {@code offset}, or from the first message at or after
     * {@code timestamp} (ms) when given. Keys, values and header values are base64; the page shows them as text,
     * JSON or hex.
     */
    Object messages(String topic, String partitionText, String offsetText, String timestampText, String limitText) {
        Topic t = topicOr404(topic);
        int index = intParam(partitionText, "partition", 0, 0, t.partitions().size() - 1);
        Partition p = t.partition(index);
        int limit = intParam(limitText, "limit", 50, 1, MAX_MESSAGES);
        long start;
        if (timestampText != null && !timestampText.isBlank()) {
            long ts = longParam(timestampText, "timestamp", 0, 0, Long.MAX_VALUE);
            Log.TimestampOffset found = broker.partitions().offsetForTimestamp(p, ts, IsolationLevel.READ_UNCOMMITTED);
            start = found == null || found.offset() < 0 ? p.highWatermark() : found.offset();
        } else {
            start = longParam(offsetText, "offset", p.logStartOffset(), 0, Long.MAX_VALUE);
        }
        start = Math.max(start, p.logStartOffset());
        long end = p.highWatermark();
        List<Object> out = new ArrayList<>();
        long next = start;
        int readBytes = 0;
        while (next < end && out.size() < limit && readBytes < MAX_READ_BYTES) {
            ByteBuffer batches = p.log().read(next, 1 << 20, true).readFully();
            if (!batches.hasRemaining()) break;
            readBytes += batches.remaining();
            long before = next;
            for (RecordBatch batch : RecordBatches.batches(batches)) {
                if (!batch.isControl()) {
                    try (RecordIterator it = batch.records()) {
                        while (it.hasNext() && out.size() < limit) {
                            Record r = it.next();
                            if (r.offset() >= next && r.offset() < end) out.add(message(r));
                        }
                    }
                }
                next = Math.max(next, batch.nextOffset());
                if (out.size() >= limit) break;
            }
            if (next == before) break;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", t.name());
        m.put("partition", index);
        m.put("from", start);
        m.put("logStartOffset", p.logStartOffset());
        m.put("highWatermark", end);
        m.put("messages", out);
        return m;
    }

    private static Map<String, Object> message(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("offset", r.offset());
        m.put("timestamp", r.timestamp());
        putBytes(m, "key", r.key());
        putBytes(m, "value", r.value());
        List<Object> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("key", h.key());
            putBytes(hm, "value", h.value());
            headers.add(hm);
        }
        m.put("headers", headers);
        return m;
    }

    private static void putBytes(Map<String, Object> m, String name, ByteBuffer b) {
        if (b == null) {
            m.put(name, null);
            return;
        }
        byte[] bytes = Record.bytes(b);
        boolean cut = bytes.length > MAX_SHOWN_BYTES;
        if (cut) bytes = java.util.Arrays.copyOf(bytes, MAX_SHOWN_BYTES);
        m.put(name, Base64.getEncoder().encodeToString(bytes));
        if (cut) m.put(name + "Truncated", true);
    }

    /** Appends one message, as a producer with acks=all would; answers its partition and offset. */
    Object produce(String topic, String partitionText, String key, String value, String headersText) {
        Topic t = topicOr404(topic);
        if (t.internal()) throw new Refused(400, "Internal topics cannot be written to");
        int index = partitionText == null || partitionText.isBlank()
                ? Math.floorMod(
                        key == null ? (int) System.nanoTime() : key.hashCode(),
                        t.partitions().size())
                : intParam(partitionText, "partition", 0, 0, t.partitions().size() - 1);
        List<Header> headers = new ArrayList<>();
        if (headersText != null) {
            for (String line : headersText.split("\n")) {
                if (line.isBlank()) continue;
                int eq = line.indexOf('=');
                if (eq <= 0) throw new Refused(400, "Headers are one key=value per line");
                headers.add(Header.of(
                        line.substring(0, eq).trim(),
                        line.substring(eq + 1).replaceAll("\r$", "").getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (headers.size() > 100) throw new Refused(400, "At most 100 headers");
        ByteBuffer batch = new RecordBatchBuilder(CompressionType.NONE)
                .append(
                        System.currentTimeMillis(),
                        key == null || key.isEmpty() ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)),
                        value == null ? null : ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)),
                        headers)
                .build();
        Partitions partitions = broker.partitions();
        Partition p = t.partition(index);
        if (partitions.leadership(t.name(), index) != dev.skiff.protocol.Errors.NONE) {
            throw new Refused(409, "This broker does not lead " + t.name() + "-" + index);
        }
        try {
            Partitions.AppendResult r =
                    partitions.appendRecords(t, p, BufferRecords.of(batch), (short) -1, AppendOrigin.CLIENT, false);
            return Map.of("topic", t.name(), "partition", index, "offset", r.baseOffset());
        } catch (ApiException e) {
            throw new Refused(400, e.error() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    // ---- groups, transactions, clients

    Object groups() {
        Map<String, Long> lagByGroup = new LinkedHashMap<>();
        for (BrokerGauges.GroupLag l : broker.gauges().lag()) lagByGroup.merge(l.group(), l.lag(), Long::sum);
        List<Object> out = new ArrayList<>();
        List<GroupCoordinator.GroupSummary> all =
                new ArrayList<>(broker.groupCoordinator().list());
        all.sort(java.util.Comparator.comparing(GroupCoordinator.GroupSummary::groupId));
        for (GroupCoordinator.GroupSummary g : all) {
            GroupCoordinator.GroupSummary d = broker.groupCoordinator().describe(g.groupId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g.groupId());
            m.put("state", (d != null ? d : g).state().wireName());
            m.put("protocolType", g.protocolType());
            m.put("members", d == null ? 0 : d.members().size());
            m.put("lag", lagByGroup.getOrDefault(g.groupId(), 0L));
            out.add(m);
        }
        return out;
    }

    Object group(String id) {
        GroupCoordinator.GroupSummary g = broker.groupCoordinator().describe(id);
        if (g == null) throw new Refused(404, "No group " + id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", g.groupId());
        m.put("state", g.state().wireName());
        m.put("protocolType", g.protocolType());
        m.put("protocol", g.protocol());
        List<Object> members = new ArrayList<>();
        for (GroupCoordinator.MemberSummary ms : g.members()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("memberId", ms.memberId());
            mm.put("groupInstanceId", ms.groupInstanceId());
            mm.put("clientId", ms.clientId());
            mm.put("clientHost", ms.clientHost());
            mm.put(
                    "assignment",
                    "consumer".equals(g.protocolType()) ? ConsumerAssignment.decode(ms.assignment()) : List.of());
            members.add(mm);
        }
        m.put("members", members);
        List<Object> offsets = new ArrayList<>();
        for (BrokerGauges.GroupLag l : broker.gauges().lag(id)) {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("topic", l.topic());
            om.put("partition", l.partition());
            om.put("committed", l.committed());
            om.put("logEndOffset", l.logEndOffset());
            om.put("lag", l.lag());
            offsets.add(om);
        }
        m.put("offsets", offsets);
        return m;
    }

    Object transactions() {
        List<Object> out = new ArrayList<>();
        List<TransactionMetadata> all = new ArrayList<>(broker.transactions().all());
        all.sort(java.util.Comparator.comparing(TransactionMetadata::transactionalId));
        for (TransactionMetadata t : all) {
            if (t.state().isIdle()) continue; // open transactions only
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transactionalId", t.transactionalId());
            m.put("producerId", t.producerId());
            m.put("producerEpoch", t.producerEpoch());
            m.put("state", t.state().kafkaName);
            m.put("timeoutMs", t.timeoutMs());
            m.put("startTimeMs", t.startTimeMs());
            List<String> parts = new ArrayList<>();
            t.partitions().forEach(tp -> parts.add(tp.topic() + "-" + tp.partition()));
            parts.sort(null);
            m.put("partitions", parts);
            out.add(m);
        }
        return out;
    }

    Object clients() {
        List<Object> out = new ArrayList<>();
        for (ClientConnection c : broker.metrics().connections()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("address", c.address());
            m.put("listener", c.listener());
            m.put("connectedAtMs", c.connectedAtMs());
            m.put("clientId", c.clientId());
            m.put("softwareName", c.softwareName());
            m.put("softwareVersion", c.softwareVersion());
            m.put("principal", c.principal());
            out.add(m);
        }
        return out;
    }

    /** Running totals per topic; the page turns two readings into rates. */
    Object rates() {
        Map<String, Object> topics = new LinkedHashMap<>();
        new java.util.TreeMap<>(broker.metrics().topics())
                .forEach((name, t) -> topics.put(
                        name,
                        Map.of(
                                "messagesIn", t.messagesIn.count(),
                                "bytesIn", t.bytesIn.count(),
                                "bytesOut", t.bytesOut.count())));
        TopicMeters all = broker.metrics().allTopics();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timeMs", System.currentTimeMillis());
        m.put(
                "all",
                Map.of(
                        "messagesIn", all.messagesIn.count(),
                        "bytesIn", all.bytesIn.count(),
                        "bytesOut", all.bytesOut.count()));
        m.put("topics", topics);
        return m;
    }

    Object overview() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodeId", broker.nodeId());
        m.put("bootstrap", broker.advertisedHost() + ":" + broker.advertisedPort());
        m.put("persistent", broker.persistent());
        m.put("topics", broker.topics().all().size());
        m.put("partitions", broker.gauges().partitionCount());
        m.put("groups", broker.gauges().groupCount());
        m.put("connections", broker.metrics().connections().size());
        return m;
    }

    // ---- helpers

    private Topic topicOr404(String name) {
        Topic t = name == null ? null : broker.topics().get(name);
        if (t == null) throw new Refused(404, "No topic " + name);
        return t;
    }

    private List<Topic> sortedTopics() {
        List<Topic> all = new ArrayList<>(broker.topics().all());
        all.sort(java.util.Comparator.comparing(Topic::name));
        return all;
    }

    private static long safeSize(Partition p) {
        try {
            return p.log().sizeInBytes();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static int intParam(String text, String name, int absent, int min, int max) {
        return (int) longParam(text, name, absent, min, max);
    }

    static long longParam(String text, String name, long absent, long min, long max) {
        if (text == null || text.isBlank()) return absent;
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new Refused(400, name + " must be a whole number, got " + abbreviate(text));
        }
        if (v < min || v > max) throw new Refused(400, name + " must be from " + min + " to " + max + ", got " + v);
        return v;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
