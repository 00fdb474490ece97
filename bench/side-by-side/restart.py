#!/usr/bin/env python3
"""Restart with a big log, Skiff beside Apache Kafka: start to first acknowledged produce.

For each broker and each way of stopping it (SIGTERM: a clean stop; SIGKILL: a crash), one partition is filled
with --mb MiB of idempotent records (ProducerPerformance: kafka-clients' defaults, idempotence and acks=all,
1000-byte records, 100 MiB segments), the broker is stopped that way and started again on the same data dir, and
a one-record idempotent ProducerPerformance is launched with it. The figure is the time from the broker's
spawn to that record's acknowledgement: it holds the broker's start, its recovery after a crash, and the
producer-state load of the first produce, and (for both brokers alike) the probe tool's own JVM start, which
overlaps the broker's. Brokers and settings are those of run.py (bin/skiff-server; Kafka's script defaults).

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/restart.py [--mb 1024[,5120,...]] [--repeat 1] [--out FILE]
With several sizes the run gives the curve over the log size; FILE with .json keeps every figure (for
scale_chart.py).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (the side-by-side harness: brokers, tools, class path)

SEGMENT_BYTES = 100 * 1024 * 1024
RECORD = 1000


def remember_command():
    """run.Broker does not keep its command line: keep it, so the broker can be started again as it was."""
    original = run.Broker.__init__

    def init(self, name, cmd, port, workdir, env=None, tls_port=None):
        self.cmd, self.env = cmd, env
        original(self, name, cmd, port, workdir, env=env, tls_port=tls_port)

    run.Broker.__init__ = init


def fill(cp, log4j, broker, mb):
    run.tool(cp, log4j, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", broker.bootstrap, "--create",
             "--topic", "big", "--partitions", "1", "--replication-factor", "1",
             "--config", f"segment.bytes={SEGMENT_BYTES}")
    records = mb * 1024 * 1024 // RECORD
    run.tool(cp, log4j, "org.apache.kafka.tools.ProducerPerformance", "--topic", "big", "--num-records",
             str(records), "--record-size", str(RECORD), "--throughput", "-1", "--producer-props",
             f"bootstrap.servers={broker.bootstrap}", "acks=all", "enable.idempotence=true", "linger.ms=5",
             "batch.size=262144")


def restart_to_first_produce(cp, log4j, broker, how):
    if how == "SIGKILL":
        broker.proc.kill()
    else:
        broker.proc.terminate()
    broker.proc.wait(120)
    broker.log.close()
    broker.log = open(os.path.join(broker.workdir, f"{broker.name}-restart.log"), "w")
    start = time.monotonic()
    broker.proc = subprocess.Popen(broker.cmd, stdout=broker.log, stderr=subprocess.STDOUT, env=broker.env)
    probe = subprocess.run(
        ["java", *run.TOOL_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp,
         "org.apache.kafka.tools.ProducerPerformance", "--topic", "big", "--num-records", "1", "--record-size",
         str(RECORD), "--throughput", "-1", "--producer-props", f"bootstrap.servers={broker.bootstrap}",
         "acks=all", "enable.idempotence=true", "reconnect.backoff.ms=20", "reconnect.backoff.max.ms=50",
         "max.block.ms=600000", "delivery.timeout.ms=600000", "request.timeout.ms=300000"],
        capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - start
    if probe.returncode != 0 or "1 records sent" not in probe.stdout:
        raise RuntimeError(f"probe failed on {broker.name}: {probe.stderr[-2000:]}{probe.stdout[-2000:]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", default="1024", help="MiB of idempotent records in the partition (a comma list: a curve)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(run.ROOT, "bench", "results", "restart.md"))
    a = ap.parse_args()
    remember_command()
    cp = run.kafka_classpath()
    sizes = [int(v) for v in a.mb.split(",")]
    results = {}
    for mb in sizes:
        for attempt in range(a.repeat):
            for how in ("SIGTERM", "SIGKILL"):
                for name in ("skiff", "kafka"):
                    workdir = tempfile.mkdtemp(prefix=f"restart-{name}-")
                    log4j = os.path.join(workdir, "tools-log4j2.properties")
                    with open(log4j, "w") as f:
                        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                                "appender.o.name=O\nappender.o.layout.type=PatternLayout\n"
                                "appender.o.layout.pattern=%m%n\n")
                    broker = run.start_skiff(workdir) if name == "skiff" else run.start_kafka(workdir, cp)
                    try:
                        fill(cp, log4j, broker, mb)
                        seconds = restart_to_first_produce(cp, log4j, broker, how)
                    finally:
                        broker.stop()
                        shutil.rmtree(workdir, ignore_errors=True)
                    results.setdefault((mb, how, name), []).append(seconds)
                    print(f"{mb} MiB {how} {name}: {seconds:.2f} s", flush=True)
    lines = [f"# Restart with idempotent data: start to first acknowledged produce "
             f"({time.strftime('%Y-%m-%d %H:%M')})", "",
             f"`python3 bench/side-by-side/restart.py --mb {a.mb} --repeat {a.repeat}` "
             f"(one partition, {RECORD}-byte records, 100 MiB segments; median of {a.repeat})", "",
             "| MiB | stop | Skiff s | Kafka s | Skiff/Kafka |", "|---|---|---|---|---|"]
    for mb in sizes:
        for how in ("SIGTERM", "SIGKILL"):
            s, k = run.median(results[(mb, how, "skiff")]), run.median(results[(mb, how, "kafka")])
            lines.append(f"| {mb} | {how} | {s:.2f} | {k:.2f} | {s / k:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(a.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump([{"mb": mb, "stop": how, "system": name, "seconds": v}
                   for (mb, how, name), vs in results.items() for v in vs], f, indent=1)


if __name__ == "__main__":
    main()
