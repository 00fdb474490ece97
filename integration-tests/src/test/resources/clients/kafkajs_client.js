// KafkaJS with its default settings, driven by ClientScripts.
// usage: node kafkajs_client.js BOOTSTRAP COMMAND ARGS...
//   produce TOPIC COUNT FIRST IDEMPOTENT CODEC   keyed records value-FIRST.. in one send() (CODEC none|gzip: the
//                                                ones KafkaJS has built in)
//   consume TOPIC GROUP COUNT              consumer group run/eachMessage until COUNT records, commits, disconnects
//   admin TOPIC PARTITIONS                 createTopics, fetchTopicMetadata, listTopics
// KafkaJS is found through NODE_PATH (ClientScripts points it at the npm install folder).
// Prints one line per fact; exits 1 with the error on failure. KAFKAJS_DEBUG=1 logs the protocol.
'use strict';
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const [bootstrap, command, ...args] = process.argv.slice(2);
const deadline = Date.now() + 25000; // the Java side waits 30 s
const kafka = new Kafka({
  brokers: [bootstrap],
  logLevel: process.env.KAFKAJS_DEBUG ? logLevel.DEBUG : logLevel.WARN,
  // log to stderr so stdout carries only the facts the test reads
  logCreator: () => ({ namespace, level, label, log }) =>
    process.stderr.write(`${label} [${namespace}] ${log.message} ${JSON.stringify(log)}\n`),
});

async function produce(topic, count, first, idempotent, codec) {
  const producer = kafka.producer({ idempotent: idempotent === 'true' });
  await producer.connect();
  const messages = [];
  for (let i = Number(first); i < Number(first) + Number(count); i++) {
    messages.push({ key: `key-${i}`, value: `value-${i}` });
  }
  const compression = codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const acks = await producer.send({ topic, messages, compression });
  for (const a of acks) console.log(`ACK ${a.partition} ${a.baseOffset} ${a.errorCode}`);
  await producer.disconnect();
}

async function consume(topic, group, count) {
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let got = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  // autoCommit on (the default): the offsets of each batch are committed once eachMessage has taken it
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      got++;
      console.log(`RECORD ${message.key} ${message.value} ${partition} ${message.offset}`);
      if (got === Number(count)) finish();
    },
  });
  const timer = setTimeout(() => finish(new Error(`only ${got} of ${count} records before the deadline`)), deadline - Date.now());
  const err = await done;
  clearTimeout(timer);
  if (err) throw err;
  // disconnect lets the running batch end and commits it
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  for (const t of await admin.fetchOffsets({ groupId: group, topics: [topic] })) {
    for (const p of t.partitions) console.log(`COMMITTED ${p.partition} ${p.offset}`);
  }
  await admin.disconnect();
}

async function admin(topic, partitions) {
  const a = kafka.admin();
  await a.connect();
  const created = await a.createTopics({ topics: [{ topic, numPartitions: Number(partitions) }], waitForLeaders: true });
  console.log(`CREATED ${topic} ${created}`);
  const md = await a.fetchTopicMetadata({ topics: [topic] });
  for (const t of md.topics) console.log(`TOPIC ${t.name} ${t.partitions.length}`);
  console.log(`LIST ${(await a.listTopics()).includes(topic)}`);
  await a.disconnect();
}

const commands = { produce, consume, admin };
commands[command](...args).then(
  () => { console.log('OK'); process.exit(0); },
  (e) => { console.error(`${command} failed: ${e.stack || e}`); process.exit(1); });
