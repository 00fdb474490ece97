package dev.skiff.broker.txn;

import dev.skiff.broker.LogFactory;
import dev.skiff.broker.Partition;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A coordinator over real topics (in memory or in a directory) with a clock the test moves. */
final class TxnTestSupport implements AutoCloseable {

    final AtomicLong clock = new AtomicLong(1_000_000);
    final BrokerConfig config;
    final LogFactory logs;
    final TopicManager topics;
    final OffsetStore offsets;
    final TransactionCoordinator coordinator;

    private TxnTestSupport(BrokerConfig config, LogFactory logs, ProducerIds ids) {
        this(config, logs, ids, false);
    }

    private TxnTestSupport(BrokerConfig config, LogFactory logs, ProducerIds ids, boolean clusterMember) {
        this.config = config;
        this.logs = logs;
        this.topics = new TopicManager(config, logs);
        if (topics.get("t") == null) topics.create("t", 2, Map.of());
        if (clusterMember) topics.becomeClusterMember();
        this.offsets = new OffsetStore(topics, config);
        this.coordinator = new TransactionCoordinator(topics, offsets, config, ids, clock::get);
    }

    static TxnTestSupport inMemory() {
        return new TxnTestSupport(BrokerConfig.defaults(), LogFactory.memory(), ProducerIds.inMemory());
    }

    static TxnTestSupport onDisk(Path dir) {
        return new TxnTestSupport(
                BrokerConfig.of(Map.of("log.dirs", dir.toString())),
                LogFactory.files(dir),
                ProducerIds.onDisk(dir.resolve("producer-ids")));
    }

    /** As {@link #onDisk}, for a broker that is one of a cluster and has not been told its roles yet. */
    static TxnTestSupport onDiskClusterMember(Path dir) {
        return new TxnTestSupport(
                BrokerConfig.of(Map.of("log.dirs", dir.toString())),
                LogFactory.files(dir),
                ProducerIds.onDisk(dir.resolve("producer-ids")),
                true);
    }

    /** Over logs of the test's choosing (e.g. ones whose appends fail on demand). */
    static TxnTestSupport over(LogFactory logs) {
        return new TxnTestSupport(BrokerConfig.defaults(), logs, ProducerIds.inMemory());
    }

    Partition partition(int i) {
        return topics.get("t").partition(i);
    }

    /** A transactional batch of {@code n} records appended as Produce would (sequence from 0 per call). */
    static long appendTxn(Partition p, long producerId, short epoch, int baseSequence, int n) {
        return p.append(txnBatch(producerId, epoch, baseSequence, n)).firstOffset();
    }

    static ByteBuffer txnBatch(long producerId, short epoch, int baseSequence, int n) {
        RecordBatchBuilder b = new RecordBatchBuilder(CompressionType.NONE)
                .producer(producerId, epoch, baseSequence)
                .transactional(true);
        for (int i = 0; i < n; i++) b.append(1L, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        return b.build();
    }

    static long appendPlain(Partition p) {
        return p.append(plainBatch()).firstOffset();
    }

    static ByteBuffer plainBatch() {
        return new RecordBatchBuilder(CompressionType.NONE)
                .append(1L, null, "x".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Override
    public void close() {
        topics.close();
    }
}
