package dev.skiff.it.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.Poll;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The idempotent producer's rules, asked of both brokers batch by batch: InitProducerId without a transactional
 * id, in-order batches, retries of the last and an earlier batch, a sequence gap, a new epoch that does not start
 * at 0, a stale epoch, a producer the partition never saw; then DescribeProducers. Each step's error and base
 * offset must be Apache Kafka's.
 */
class IdempotenceMatchesKafkaTest {

    @RegisterExtension
    static final OracleAndSkiff brokers = new OracleAndSkiff();

    private record Step(String what, int epoch, int firstSeq, int count) {}

    private static final List<Step> STEPS = List.of(
            new Step("first batch", 0, 0, 3),
            new Step("next batch", 0, 3, 2),
            new Step("retry of the last batch", 0, 3, 2),
            new Step("retry of an earlier batch", 0, 0, 3),
            new Step("a gap in the sequence", 0, 7, 1),
            new Step("a retry that overlaps but does not match", 0, 4, 1),
            new Step("a new epoch not starting at 0", 1, 5, 1),
            new Step("a new epoch starting at 0", 1, 0, 2),
            new Step("the old epoch again", 0, 5, 1),
            new Step("the new epoch goes on", 1, 2, 1));

    private static ProduceRequestData produce(String topic, long pid, Step s) {
        SimpleRecord[] records = new SimpleRecord[s.count()];
        for (int i = 0; i < s.count(); i++) {
            records[i] = new SimpleRecord(
                    1_700_000_000_000L, null, ("r" + (s.firstSeq() + i)).getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch =
                MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) s.epoch(), s.firstSeq(), records);
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(batch))));
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topics);
    }

    private static List<String> run(OracleAndSkiff.Target t, String topic, int produceVersion) throws Exception {
        List<String> answers = new ArrayList<>();
        try (KafkaWire wire = t.connect()) {
            // a fresh Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its producer id manager is ready
            InitProducerIdResponseData init = Poll.until(
                    "InitProducerId from " + t.name(),
                    () -> wire.<InitProducerIdResponseData>send(
                            new InitProducerIdRequestData()
                                    .setTransactionalId(null)
                                    .setTransactionTimeoutMs(60_000)
                                    .setProducerId(-1)
                                    .setProducerEpoch((short) -1),
                            4),
                    r -> !(Errors.forCode(r.errorCode()).exception() instanceof RetriableException));
            answers.add("InitProducerId: " + Errors.forCode(init.errorCode()) + " epoch " + init.producerEpoch());
            long pid = init.producerId();
            for (Step s : STEPS) {
                ProduceResponseData r = wire.send(produce(topic, pid, s), produceVersion);
                ProduceResponseData.PartitionProduceResponse p =
                        r.responses().iterator().next().partitionResponses().get(0);
                Errors error = Errors.forCode(p.errorCode());
                answers.add(s.what() + ": " + error + (error == Errors.NONE ? " at " + p.baseOffset() : ""));
            }
            ProduceResponseData stranger =
                    wire.send(produce(topic, pid + 1_000_000, new Step("", 0, 42, 1)), produceVersion);
            answers.add("an unknown producer starting at 42: "
                    + Errors.forCode(stranger.responses()
                            .iterator()
                            .next()
                            .partitionResponses()
                            .get(0)
                            .errorCode()));

            DescribeProducersResponseData d = wire.send(
                    new DescribeProducersRequestData()
                            .setTopics(List.of(new DescribeProducersRequestData.TopicRequest()
                                    .setName(topic)
                                    .setPartitionIndexes(List.of(0)))),
                    0);
            DescribeProducersResponseData.PartitionResponse dp =
                    d.topics().get(0).partitions().get(0);
            answers.add("DescribeProducers: " + Errors.forCode(dp.errorCode()));
            dp.activeProducers().stream()
                    .filter(s -> s.producerId() == pid)
                    .forEach(s -> answers.add("producer: epoch " + s.producerEpoch() + " last sequence "
                            + s.lastSequence() + " coordinator epoch " + s.coordinatorEpoch() + " txn start "
                            + s.currentTxnStartOffset()));
            answers.add("active producers: " + dp.activeProducers().size());
        }
        return answers;
    }

    @Test
    void sameAnswersStepByStep() throws Exception {
        for (int version : new int[] {3, 9}) {
            String topic = "idempotence-v" + version;
            brokers.createTopic(topic, 1);
            List<String> kafka = run(brokers.oracle(), topic, version);
            List<String> skiff = run(brokers.skiff(), topic, version);
            assertEquals(String.join("\n", kafka), String.join("\n", skiff), "Produce v" + version);
        }
    }
}
