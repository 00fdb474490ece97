// KafkaJS over TLS with SASL, driven by SecuredNonJavaClientsTest.
// usage: node kafkajs_secured.js BOOTSTRAP CA_PEM_FILE MECHANISM USER PASSWORD COMMAND ARGS...
//   roundtrip TOPIC GROUP   sends three records, reads them back in a consumer group
//   login                   connects an admin client and lists topics; prints AUTH_FAILED on refusal
// MECHANISM is KafkaJS's spelling: plain, scram-sha-256, scram-sha-512.
// Prints one line per fact; exits 1 with the error on any other failure.
'use strict';
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, caFile, mechanism, username, password, command, ...args] = process.argv.slice(2);
const deadline = Date.now() + 25000; // the Java side waits 30 s
const kafka = new Kafka({
  brokers: [bootstrap],
  ssl: { ca: [fs.readFileSync(caFile, 'utf-8')] },
  sasl: { mechanism, username, password },
  retry: { retries: 2 },
  logLevel: process.env.KAFKAJS_DEBUG ? logLevel.DEBUG : logLevel.NOTHING,
});

async function roundtrip(topic, group) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let got = 0;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  await consumer.run({
    eachMessage: async ({ message }) => {
      console.log(`GOT ${message.value}`);
      if (++got === 3) finish();
    },
  });
  const timer = setTimeout(() => finish(new Error(`only ${got} of 3 records before the deadline`)), deadline - Date.now());
  const err = await done;
  clearTimeout(timer);
  if (err) throw err;
  await consumer.disconnect();
}

async function login() {
  const admin = kafka.admin();
  try {
    await admin.connect();
    console.log(`TOPICS ${(await admin.listTopics()).length}`);
    await admin.disconnect();
  } catch (e) {
    if (e.name !== 'KafkaJSSASLAuthenticationError') throw e;
    console.log(`AUTH_FAILED ${e.message}`);
  }
}

const commands = { roundtrip, login };
commands[command](...args).then(
  () => process.exit(0),
  (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); });
