"""kafka-python with its default settings (it probes the broker's version itself), driven by ClientScripts.

usage: kafka_python_client.py BOOTSTRAP COMMAND ARGS...
  produce TOPIC COUNT FIRST CODEC   keyed records value-FIRST.. through KafkaProducer, waits for each ack
  consume TOPIC GROUP COUNT         reads COUNT records in the group, commits, closes
Prints one line per fact, first API_VERSION: the broker version kafka-python settled on (probed, or pinned
by KAFKA_PYTHON_API_VERSION=0.10.1); exits 1 with the error on failure. KAFKA_PYTHON_DEBUG=1 logs the protocol.
"""
import logging
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer

DEADLINE = time.monotonic() + 25  # the Java side waits 30 s


def left():
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise SystemExit("deadline passed")
    return remaining


def pinned():
    """KAFKA_PYTHON_API_VERSION=0.10.1 pins the protocol generation instead of probing."""
    v = os.environ.get("KAFKA_PYTHON_API_VERSION")
    return {"api_version": tuple(int(x) for x in v.split("."))} if v else {}


def produce(bootstrap, topic, count, first, codec):
    p = KafkaProducer(bootstrap_servers=bootstrap,
                      compression_type=None if codec == "none" else codec, **pinned())
    print("API_VERSION %s" % (p.config["api_version"],))
    futures = [p.send(topic, key=b"key-%d" % i, value=b"value-%d" % i)
               for i in range(int(first), int(first) + int(count))]
    p.flush(timeout=left())
    for f in futures:
        m = f.get(timeout=left())
        print("DELIVERED %d %d" % (m.partition, m.offset))
    p.close(timeout=5)


def consume(bootstrap, topic, group, count):
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False, **pinned())
    print("API_VERSION %s" % (c.config["api_version"],))
    got = 0
    while got < int(count):
        for tp, records in c.poll(timeout_ms=int(min(1.0, left()) * 1000)).items():
            for r in records:
                got += 1
                print("RECORD %s %s %d %d" % (r.key.decode(), r.value.decode(), r.partition, r.offset))
    c.commit()
    for tp in sorted(c.assignment()):
        print("COMMITTED %d %d" % (tp.partition, c.committed(tp)))
    c.close(autocommit=False)


def main():
    if os.environ.get("KAFKA_PYTHON_DEBUG"):
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    bootstrap, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"produce": produce, "consume": consume}[command](bootstrap, *args)
    print("OK")


if __name__ == "__main__":
    main()
