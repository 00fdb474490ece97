"""Transactions with librdkafka (confluent-kafka), driven by dev.skiff.it.txn.RdkafkaTransactionsTest.

usage: rdkafka_txn.py BOOTSTRAP SCENARIO [ARGS]
  abort                 commit 5, abort 5, commit 5 to "out"; then count what read_committed and read_uncommitted see
  fence                 a second producer with the same transactional.id fences the first
  timeout               open a transaction, say "sent", wait for "commit" on stdin, then try to commit
  process ID            read-process-write from "in" to "out" (group "eos") until "stop" on stdin
Prints "result <json>" last; exits non-zero on a failed expectation.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

BOOTSTRAP = sys.argv[1]
SCENARIO = sys.argv[2]


def say(*words):
    print(*words, flush=True)


def producer(txn_id, timeout_ms=60000):
    p = Producer({"bootstrap.servers": BOOTSTRAP, "transactional.id": txn_id,
                  "transaction.timeout.ms": timeout_ms, "linger.ms": 0})
    p.init_transactions(20)
    return p


def consumer(isolation, group, **extra):
    conf = {"bootstrap.servers": BOOTSTRAP, "group.id": group, "isolation.level": isolation,
            "auto.offset.reset": "earliest", "enable.auto.commit": False}
    conf.update(extra)
    return Consumer(conf)


def read_all(isolation, expected):
    """Values of "out" from the beginning, until `expected` arrived and then 1 s of silence (20 s at most)."""
    c = consumer(isolation, "read-" + isolation + "-" + str(time.time()))
    c.subscribe(["out"])
    values, deadline, quiet_since = [], time.time() + 20, None
    while time.time() < deadline:
        m = c.poll(0.1)
        if m is None or m.error():
            if len(values) >= expected:
                quiet_since = quiet_since or time.time()
                if time.time() - quiet_since > 1:
                    break
            continue
        quiet_since = None
        values.append(m.value().decode())
    c.close()
    return values


def abort():
    p = producer("rd-abort")
    for kind, frm in (("committed", 0), ("aborted", 0), ("committed", 5)):
        p.begin_transaction()
        for i in range(frm, frm + 5):
            p.produce("out", key="k%d" % i, value="%s-%d" % (kind, i))
        p.flush()
        if kind == "aborted":
            p.abort_transaction(20)
        else:
            p.commit_transaction(20)
    committed = read_all("read_committed", 10)
    uncommitted = read_all("read_uncommitted", 15)
    say("result", json.dumps({"committed": committed, "uncommitted": uncommitted}))
    ok = len(committed) == 10 and all(v.startswith("committed-") for v in committed) and len(uncommitted) == 15
    sys.exit(0 if ok else 1)


def fence():
    zombie = producer("rd-fence")
    zombie.begin_transaction()
    zombie.produce("out", key="k", value="zombie")
    zombie.flush()
    successor = producer("rd-fence")
    fenced = None
    try:
        zombie.commit_transaction(20)
    except KafkaException as e:
        fenced = str(e.args[0])
    successor.begin_transaction()
    successor.produce("out", key="k", value="successor")
    successor.commit_transaction(20)
    committed = read_all("read_committed", 1)
    say("result", json.dumps({"fenced": fenced, "committed": committed}))
    sys.exit(0 if fenced and committed == ["successor"] else 1)


def timeout():
    p = producer("rd-timeout", timeout_ms=1500)
    p.begin_transaction()
    p.produce("out", key="k", value="forgotten")
    p.flush()
    say("sent")
    sys.stdin.readline()  # the test says when the coordinator has aborted
    failed = None
    try:
        p.commit_transaction(10)
    except KafkaException as e:
        failed = str(e.args[0])
    committed = read_all("read_committed", 0)
    say("result", json.dumps({"commitFailed": failed, "committed": committed}))
    sys.exit(0 if failed and not committed else 1)


def process(txn_id):
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    p = producer(txn_id, timeout_ms=30000)
    c = consumer("read_committed", "eos", **{"session.timeout.ms": 10000, "heartbeat.interval.ms": 500})
    c.subscribe(["in"])
    transactions = 0
    while not stop.is_set():
        msgs = [m for m in c.consume(num_messages=25, timeout=0.1) if not m.error()]
        say("assigned", len(c.assignment()))
        if not msgs:
            continue
        try:
            p.begin_transaction()
            for m in msgs:
                p.produce("out", key=m.key(), value=m.value())
            nxt = {}
            for m in msgs:
                nxt[(m.topic(), m.partition())] = m.offset() + 1
            offsets = [TopicPartition(t, part, o) for (t, part), o in nxt.items()]
            p.send_offsets_to_transaction(offsets, c.consumer_group_metadata(), 20)
            p.commit_transaction(20)
            transactions += 1
        except KafkaException as e:
            err = e.args[0]
            if err.fatal():
                raise
            # abortable or retriable: abort, and read again from the committed offsets
            p.abort_transaction(20)
            committed = c.committed(c.assignment(), 20)
            for tp in committed:
                c.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else 0))
    c.close()
    say("result", json.dumps({"transactions": transactions}))


{"abort": abort, "fence": fence, "timeout": timeout,
 "process": lambda: process(sys.argv[3])}[SCENARIO]()
