#!/usr/bin/env python3
"""Standalone start, as a user starts a broker: spawn it, then `kcat -L` until it answers, Skiff beside Kafka.

Each sample spawns the broker on a free port with a fresh data dir and takes the time from the spawn to the
first `kcat -L` that lists the broker: the harness polls the port every 2 ms (so kcat is not started thousands
of times while the JVM boots) and then runs `kcat -L` until it answers; kcat's own start (a few ms) is in both
brokers' figures. The brokers are those of run.py: Skiff's start script bin/skiff-server (with the class-data
sharing archive the build makes, and again without it, SKIFF_CDS=off) and a single-node KRaft Apache Kafka
from Maven artifacts with its start scripts' JVM settings; Kafka's storage is formatted before its clock starts
(which favours Kafka). The systems alternate sample by sample so that machine drift hits all of them.

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/start.py [--repeat 7] [--out FILE]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (the side-by-side harness: brokers, class path)


def answered(port):
    """True once `kcat -L` lists the broker at the port."""
    p = subprocess.run(["kcat", "-L", "-b", f"127.0.0.1:{port}", "-m", "5", "-q"], capture_output=True, text=True)
    return p.returncode == 0 and "broker" in p.stdout


def time_to_answer(cmd, port, env=None, log=None):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = start + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.002)
                continue
            if answered(port):
                return time.monotonic() - start
        raise RuntimeError(f"no answer on {port} within 120 s")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def skiff(workdir, cds):
    port = run.free_port()
    env = dict(os.environ, SKIFF_JAR=run.SKIFF_JAR)
    if not cds:
        env["SKIFF_CDS"] = "off"
    cmd = [run.SKIFF_START, "--port", str(port), "--data-dir", os.path.join(workdir, "skiff-data")]
    return cmd, port, env


def kafka(workdir, cp):
    """Writes Kafka's properties and formats its storage (untimed); returns the command that starts it."""
    port, cport = run.free_port(), run.free_port()
    props = os.path.join(workdir, "server.properties")
    with open(props, "w") as f:
        f.write(f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{cport}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={os.path.join(workdir, "kafka-data")}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
""")
    log4j = os.path.join(workdir, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                "appender.o.name=O\nappender.o.layout.type=PatternLayout\nappender.o.layout.pattern=%m%n\n")
    subprocess.run(["java", *run.TOOL_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp, "kafka.tools.StorageTool",
                    "format", "-t", "c2tpZmYtc3RhcnQtYmVuY2gw", "-c", props], check=True, stdout=subprocess.DEVNULL)
    return ["java", *run.KAFKA_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp, "kafka.Kafka", props], port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(run.ROOT, "bench", "results", "start.md"))
    a = ap.parse_args()
    if shutil.which("kcat") is None:
        sys.exit("kcat is not installed (Debian: apt-get install kcat)")
    cp = run.kafka_classpath()
    names = ("skiff", "skiff-no-cds", "kafka")
    samples = {n: [] for n in names}
    for i in range(a.repeat + 1):  # the first round warms the page cache and is not counted
        order = names if i % 2 == 0 else tuple(reversed(names))
        for name in order:
            workdir = tempfile.mkdtemp(prefix=f"start-{name}-")
            try:
                if name == "kafka":
                    cmd, port = kafka(workdir, cp)
                    env = None
                else:
                    cmd, port, env = skiff(workdir, cds=(name == "skiff"))
                with open(os.path.join(workdir, "broker.log"), "w") as log:
                    seconds = time_to_answer(cmd, port, env, log)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            if i > 0:
                samples[name].append(seconds)
                print(f"{name}: {seconds * 1000:.0f} ms", flush=True)
    k = run.median(samples["kafka"])
    lines = ["# Standalone start: spawn to the first answered `kcat -L`", "",
             f"`python3 bench/side-by-side/start.py --repeat {a.repeat}` (medians of {a.repeat}, min-max)", "",
             "| broker | median ms | min-max ms | / Kafka |", "|---|---|---|---|"]
    for name, label in (("skiff", "Skiff, bin/skiff-server (class-data sharing archive)"),
                        ("skiff-no-cds", "Skiff, bin/skiff-server with SKIFF_CDS=off"),
                        ("kafka", "Apache Kafka 4.1.1, KRaft broker+controller")):
        s = samples[name]
        lines.append(f"| {label} | {run.median(s) * 1000:.0f} | {min(s) * 1000:.0f}-{max(s) * 1000:.0f} | "
                     f"{run.median(s) / k:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
