"""librdkafka through confluent-kafka over TLS with SASL, driven by SecuredNonJavaClientsTest.

usage: rdkafka_secured.py BOOTSTRAP CA_PEM_FILE MECHANISM USER PASSWORD COMMAND ARGS...
  (CA_PEM_FILE "-": SASL_PLAINTEXT instead of SASL_SSL)
  roundtrip TOPIC GROUP   produces three records, reads them back in a consumer group
  login                   asks for metadata; prints AUTH_FAILED with librdkafka's error on refusal
Prints LIBRDKAFKA <version> first, then one line per fact; exits 1 with the error on any other failure.
"""
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaError, Producer

DEADLINE = time.monotonic() + 25  # the Java side waits 30 s


def left():
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise SystemExit("deadline passed")
    return remaining


def conf(bootstrap, ca, mechanism, user, password, **extra):
    c = {"bootstrap.servers": bootstrap, "security.protocol": "SASL_SSL", "sasl.mechanisms": mechanism,
         "sasl.username": user, "sasl.password": password, "ssl.ca.location": ca}
    if ca == "-":
        c["security.protocol"] = "SASL_PLAINTEXT"
        del c["ssl.ca.location"]
    c.update(extra)
    return c


def roundtrip(common, topic, group):
    p = Producer(common)
    errors = []
    for i in range(3):
        p.produce(topic, key="k%d" % i, value="v%d" % i,
                  on_delivery=lambda err, msg: err is not None and errors.append(str(err)))
    while p.flush(1) > 0:
        left()
    if errors:
        raise SystemExit("delivery failed: %s" % errors)
    c = Consumer(dict(common, **{"group.id": group, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    got = 0
    while got < 3:
        m = c.poll(min(1.0, left()))
        if m is None:
            continue
        if m.error():
            raise SystemExit("consume failed: %s" % m.error())
        print("GOT " + m.value().decode())
        got += 1
    c.close()


def login(common):
    failures = []

    def on_error(err):
        if err.code() == KafkaError._AUTHENTICATION:
            failures.append(err.str())

    p = Producer(dict(common, error_cb=on_error))
    while not failures:
        try:
            md = p.list_topics(timeout=min(1.0, left()))
            print("TOPICS %d" % len(md.topics))
            return
        except confluent_kafka.KafkaException:
            p.poll(0)
    print("AUTH_FAILED " + failures[0])


def main():
    bootstrap, ca, mechanism, user, password, command, *args = sys.argv[1:]
    print("LIBRDKAFKA " + confluent_kafka.libversion()[0])
    common = conf(bootstrap, ca, mechanism, user, password)
    {"roundtrip": roundtrip, "login": login}[command](common, *args)


if __name__ == "__main__":
    main()
