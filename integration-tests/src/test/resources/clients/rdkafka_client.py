"""librdkafka through confluent-kafka, with its default settings, driven by ClientScripts.

usage: rdkafka_client.py BOOTSTRAP COMMAND ARGS...
  produce TOPIC CODEC COUNT IDEMPOTENT FIRST   keyed records value-FIRST.. value-(FIRST+COUNT-1)
  consume TOPIC GROUP COUNT                    reads COUNT records in the group, commits, closes
  admin TOPIC PARTITIONS                       create_topics, list_topics, describe_configs
Prints one line per fact (RECORD/DELIVERED/COMMITTED/...); exits 1 with the error on failure.
Extra librdkafka properties come from the environment as RDKAFKA_EXTRA="k=v,k=v" (debug logs).
"""
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

DEADLINE = time.monotonic() + 25  # the Java side waits 30 s


def conf(bootstrap, **extra):
    c = {"bootstrap.servers": bootstrap}
    for kv in filter(None, os.environ.get("RDKAFKA_EXTRA", "").split(",")):
        k, v = kv.split("=", 1)
        c[k] = v
    c.update(extra)
    return c


def left():
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise SystemExit("deadline passed")
    return remaining


def produce(bootstrap, topic, codec, count, idempotent, first):
    p = Producer(conf(bootstrap, **{"compression.codec": codec,
                                    "enable.idempotence": idempotent == "true"}))
    errors = []
    delivered = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            delivered.append(msg)

    first = int(first)
    for i in range(first, first + int(count)):
        p.produce(topic, key="key-%d" % i, value="value-%d" % i, on_delivery=on_delivery)
        p.poll(0)
    while p.flush(1) > 0:
        left()
    if errors:
        raise SystemExit("delivery failed: %s" % errors)
    for m in delivered:
        print("DELIVERED %s %d %d" % (m.value().decode(), m.partition(), m.offset()))


def consume(bootstrap, topic, group, count):
    c = Consumer(conf(bootstrap, **{"group.id": group, "auto.offset.reset": "earliest",
                                    "enable.auto.commit": False}))
    c.subscribe([topic])
    got = 0
    while got < int(count):
        msg = c.poll(min(1.0, left()))
        if msg is None:
            continue
        if msg.error():
            # end of partition is informational (off by default anyway); anything else fails the run
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise SystemExit("consume error: %s" % msg.error())
        got += 1
        print("RECORD %s %s %d %d" % (msg.key().decode(), msg.value().decode(), msg.partition(), msg.offset()))
    c.commit(asynchronous=False)
    for tp in c.committed(c.assignment(), timeout=left()):
        if tp.error:
            raise SystemExit("committed(): %s" % tp.error)
        print("COMMITTED %d %d" % (tp.partition, tp.offset))
    c.close()


def admin(bootstrap, topic, partitions):
    a = AdminClient(conf(bootstrap))
    for name, f in a.create_topics([NewTopic(topic, num_partitions=int(partitions), replication_factor=1)],
                                   operation_timeout=10, request_timeout=left()).items():
        f.result()
        print("CREATED %s" % name)
    md = a.list_topics(timeout=left())
    for t in sorted(md.topics.values(), key=lambda t: t.topic):
        if t.error is not None:
            raise SystemExit("list_topics %s: %s" % (t.topic, t.error))
        print("TOPIC %s %d" % (t.topic, len(t.partitions)))
    for b in md.brokers.values():
        print("BROKER %d %s %d" % (b.id, b.host, b.port))
    for res, f in a.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)],
                                     request_timeout=left()).items():
        for name, entry in sorted(f.result().items()):
            print("CONFIG %s=%s" % (name, entry.value))


def main():
    bootstrap, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        {"produce": produce, "consume": consume, "admin": admin}[command](bootstrap, *args)
    except KafkaException as e:
        raise SystemExit("%s failed: %s" % (command, e))
    print("OK")


if __name__ == "__main__":
    main()
