#!/usr/bin/env python3
"""What the console costs the data path: produce throughput of the standalone Skiff with the HTTP listener and
metrics on (--http-port, the default counting, JMX, and a /metrics scrape every second during the run) against
both off (skiff.metrics.enable=false, skiff.metrics.jmx.enable=false, no HTTP listener).

Both brokers run at once and the runs alternate between them, --repeat times, after one unmeasured pass each, so
machine drift hits both alike; the table gives medians and the on/off ratio. Uses run.py's helpers and Kafka's
ProducerPerformance (acks=1, 100-byte records, 1 partition).

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/console_overhead.py [--records 1000000] [--repeat 5] [--out FILE]
"""
import argparse
import os
import signal
import sys
import tempfile
import threading
import urllib.request

import run

ROOT = run.ROOT


def start(workdir, name, extra):
    port = run.free_port()
    data = os.path.join(workdir, name + "-data")
    os.makedirs(data, exist_ok=True)
    return run.Broker(name, [run.SKIFF_START, "--port", str(port), "--data-dir", data, *extra], port, workdir,
                      env=dict(os.environ, SKIFF_JAR=run.SKIFF_JAR))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "console-overhead.md"))
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not os.path.exists(run.SKIFF_JAR):
        sys.exit("build the jar first: mvn -B -q -DskipTests package")
    cp = run.kafka_classpath()
    workdir = tempfile.mkdtemp(prefix="skiff-console-bench-")
    log4j = os.path.join(workdir, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                "appender.o.name=O\nappender.o.layout.type=PatternLayout\nappender.o.layout.pattern=%m%n\n")
    http_port = run.free_port()
    brokers = {}
    results = {"on": [], "off": []}
    try:
        brokers["on"] = start(workdir, "on", ["--http-port", str(http_port)])
        brokers["off"] = start(workdir, "off", ["--override", "skiff.metrics.enable=false",
                                                "--override", "skiff.metrics.jmx.enable=false"])
        stop = threading.Event()

        def scrape():  # what a Prometheus server does, once a second
            while not stop.wait(1.0):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5).read()
                except OSError:
                    pass

        threading.Thread(target=scrape, daemon=True).start()
        for name, b in brokers.items():
            run.create_topic(cp, log4j, b, "bench", 1)
            run.produce(cp, log4j, b, "bench", a.records // 4, 1)  # warm-up, not measured
        for i in range(a.repeat):
            for name in (("on", "off") if i % 2 == 0 else ("off", "on")):
                m = run.produce(cp, log4j, brokers[name], "bench", a.records, 1)
                results[name].append(m)
                print(f"run {i} {name}: {m}", flush=True)
        stop.set()
    finally:
        for b in brokers.values():
            b.stop()
    rows = ["| figure | console and metrics on | off | on / off |", "|---|---:|---:|---:|"]
    for key in ("rec/s", "MB/s", "avg ms", "p99 ms", "cpu s/M"):
        on = run.median([m[key] for m in results["on"]])
        off = run.median([m[key] for m in results["off"]])
        rows.append(f"| {key} | {on:.2f} | {off:.2f} | {on / off if off else float('nan'):.3f} |")
    text = (f"Produce throughput, acks=1, 100-byte records, 1 partition, {a.records} records, median of "
            f"{a.repeat} alternating runs per side\n\n" + "\n".join(rows) + "\n")
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
