// Transactions with KafkaJS, driven by dev.skiff.it.txn.KafkaJsTransactionsTest; the same scenarios and
// output as rdkafka_txn.py: "result <json>" last, a non-zero exit on a failed expectation.
//   node kafkajs_txn.js BOOTSTRAP abort|fence|timeout|process ID
const { Kafka, logLevel } = require('kafkajs');
const readline = require('readline');

const [bootstrap, scenario, arg] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'skiff-txn-' + scenario, brokers: [bootstrap], logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 100, retries: 30, maxRetryTime: 1000 } });
const say = (...words) => console.log(words.join(' '));
const stdinLines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise(resolve => stdinLines.once('line', resolve));

async function producer(transactionalId, transactionTimeout = 60000) {
  const p = kafka.producer({ transactionalId, transactionTimeout, idempotent: true, maxInFlightRequests: 1 });
  await p.connect(); // InitProducerId
  return p;
}

// Values of "out" from the beginning as the isolation level sees them, until `expected` arrived and then
// 1 s of silence (20 s at most).
async function readAll(readUncommitted, expected) {
  const c = kafka.consumer({ groupId: 'read-' + readUncommitted + '-' + Date.now(), readUncommitted, maxWaitTimeInMs: 100 });
  await c.connect();
  await c.subscribe({ topic: 'out', fromBeginning: true });
  const values = [];
  let last = Date.now();
  await c.run({ eachMessage: async ({ message }) => { values.push(message.value.toString()); last = Date.now(); } });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && !(values.length >= expected && Date.now() - last > 1000)) {
    await new Promise(r => setTimeout(r, 50));
  }
  await c.disconnect();
  return values;
}

async function abort() {
  const p = await producer('js-abort');
  for (const [kind, from] of [['committed', 0], ['aborted', 0], ['committed', 5]]) {
    const t = await p.transaction();
    const messages = [];
    for (let i = from; i < from + 5; i++) messages.push({ key: 'k' + i, value: kind + '-' + i });
    await t.send({ topic: 'out', messages });
    if (kind === 'aborted') await t.abort(); else await t.commit();
  }
  await p.disconnect();
  const committed = await readAll(false, 10);
  const uncommitted = await readAll(true, 15);
  say('result', JSON.stringify({ committed, uncommitted }));
  return committed.length === 10 && committed.every(v => v.startsWith('committed-')) && uncommitted.length === 15;
}

async function fence() {
  const zombie = await producer('js-fence');
  const zt = await zombie.transaction();
  await zt.send({ topic: 'out', messages: [{ key: 'k', value: 'zombie' }] });
  const successor = await producer('js-fence');
  const st = await successor.transaction(); // KafkaJS sends the transactional InitProducerId here
  let fenced = null;
  try { await zt.commit(); } catch (e) { fenced = e.type || e.message; }
  await st.send({ topic: 'out', messages: [{ key: 'k', value: 'successor' }] });
  await st.commit();
  await successor.disconnect();
  await zombie.disconnect().catch(() => {});
  const committed = await readAll(false, 1);
  say('result', JSON.stringify({ fenced, committed }));
  return fenced !== null && committed.length === 1 && committed[0] === 'successor';
}

async function timeout() {
  const p = await producer('js-timeout', 1500);
  const t = await p.transaction();
  await t.send({ topic: 'out', messages: [{ key: 'k', value: 'forgotten' }] });
  say('sent');
  await nextLine(); // the test says when the coordinator has aborted
  let commitFailed = null;
  try { await t.commit(); } catch (e) { commitFailed = e.type || e.message; }
  await p.disconnect().catch(() => {});
  const committed = await readAll(false, 0);
  say('result', JSON.stringify({ commitFailed, committed }));
  return commitFailed !== null && committed.length === 0;
}

async function processLoop(id) {
  let stop = false;
  nextLine().then(() => { stop = true; });
  const p = await producer(id, 30000);
  const c = kafka.consumer({ groupId: 'eos', readUncommitted: false, sessionTimeout: 10000, heartbeatInterval: 500,
    maxWaitTimeInMs: 100 });
  let assigned = 0, transactions = 0;
  c.on(c.events.GROUP_JOIN, e => {
    const a = e.payload.memberAssignment || {};
    assigned = Object.values(a).reduce((n, parts) => n + parts.length, 0);
    say('assigned', assigned);
  });
  await c.connect();
  await c.subscribe({ topic: 'in', fromBeginning: true });
  await c.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, isStale }) => {
      if (stop || isStale() || batch.messages.length === 0) return;
      const t = await p.transaction();
      try {
        await t.send({ topic: 'out', messages: batch.messages.map(m => ({ key: m.key, value: m.value })) });
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await t.sendOffsets({ consumerGroupId: 'eos',
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
        await t.commit();
        transactions++;
        resolveOffset(batch.lastOffset());
      } catch (e) {
        await t.abort().catch(() => {});
        throw e; // KafkaJS fetches the batch again from the committed offset
      }
    },
  });
  while (!stop) await new Promise(r => setTimeout(r, 50));
  await c.disconnect();
  await p.disconnect();
  say('result', JSON.stringify({ transactions }));
  return true;
}

const scenarios = { abort, fence, timeout, process: () => processLoop(arg) };
scenarios[scenario]()
  .then(ok => { stdinLines.close(); process.exit(ok ? 0 : 1); })
  .catch(e => { say('result', JSON.stringify({ error: String(e && e.stack || e) })); process.exit(2); });
