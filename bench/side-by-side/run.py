#!/usr/bin/env python3
"""Skiff and Apache Kafka side by side, measured with Kafka's own tools in one run.

Starts the standalone Skiff jar (with bin/skiff-server, its start script) and a single-node KRaft Apache Kafka
(from Maven artifacts, with the heap and JVM settings of its own start scripts), then runs against each in
turn, after one unmeasured pass of each tool, alternating so machine drift hits both, each case --repeat
times: ProducerPerformance (acks=1 and acks=all, 1 and 6 partitions), ConsumerPerformance over the same data,
and EndToEndLatency. Prints one table per figure (medians) with the ratio Skiff/Kafka and writes it to a file.

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/run.py [--records 2000000] [--latency-messages 10000] [--repeat 3] [--no-warmup]
                                      [--latency-only] [--tls] [--out FILE]
With --tls both brokers also listen with SSL (a keytool-made EC certificate) and the run measures only produce
throughput (acks=1, 1 partition) over plain text and over TLS, giving each system's TLS / plain-text ratio.
"""
import argparse
import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIFF_JAR = os.path.join(ROOT, "broker-server", "target", "skiff-server.jar")
SKIFF_START = os.path.join(ROOT, "bin", "skiff-server")  # its JVM settings, as Kafka's come from its scripts
# kafka-server-start.sh and kafka-run-class.sh defaults
KAFKA_JVM = ["-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15",
             "-Djava.awt.headless=true"]
TOOL_JVM = ["-Xmx512M", "-XX:+UseG1GC"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broker exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def kafka_classpath():
    out = os.path.join(HERE, "target", "kafka-classpath.txt")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["mvn", "-q", "-B", "-f", os.path.join(HERE, "pom.xml"), "dependency:build-classpath",
                        f"-Dmdep.outputFile={out}"], check=True)
    with open(out) as f:
        return f.read().strip()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid, key="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_tls(workdir):
    """A self-signed EC certificate for 127.0.0.1 in a PKCS12 key store, and a trust store holding it."""
    ks, ts, cert, pw = (os.path.join(workdir, n) for n in ("tls-keystore.p12", "tls-truststore.p12", "tls.crt", "pw"))
    password = "bench-secret"
    subprocess.run(["keytool", "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "30",
                    "-keystore", ks, "-storetype", "PKCS12", "-storepass", password], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["keytool", "-exportcert", "-alias", "broker", "-keystore", ks, "-storepass", password,
                    "-file", cert], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "broker", "-file", cert, "-keystore", ts,
                    "-storetype", "PKCS12", "-storepass", password], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return {"keystore": ks, "truststore": ts, "password": password}


def tls_server_props(tls):
    return [f"ssl.keystore.location={tls['keystore']}", "ssl.keystore.type=PKCS12",
            f"ssl.keystore.password={tls['password']}", f"ssl.key.password={tls['password']}"]


class Broker:
    def __init__(self, name, cmd, port, workdir, env=None, tls_port=None):
        self.name, self.port, self.workdir, self.tls_port = name, port, workdir, tls_port
        self.log = open(os.path.join(workdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_port(port, self.proc)
        time.sleep(2)  # let it settle before the idle figure
        self.idle_rss = rss_mb(self.proc.pid)

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def start_skiff(workdir, tls=None):
    port = free_port()
    data = os.path.join(workdir, "skiff-data")
    listen = ["--port", str(port)]
    tls_port = None
    if tls:
        tls_port = free_port()
        listen = ["--override", f"listeners=PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{tls_port}"]
        for p in tls_server_props(tls):
            listen += ["--override", p]
    return Broker("skiff", [SKIFF_START, *listen, "--data-dir", data,
                            "--override", "group.initial.rebalance.delay.ms=0"], port, workdir,
                  env=dict(os.environ, SKIFF_JAR=SKIFF_JAR), tls_port=tls_port)


def start_kafka(workdir, cp, tls=None):
    port, cport = free_port(), free_port()
    tls_port = free_port() if tls else None
    ssl_listener = f",SSL://127.0.0.1:{tls_port}" if tls else ""
    ssl_props = "\n".join(tls_server_props(tls)) + "\n" if tls else ""
    data = os.path.join(workdir, "kafka-data")
    props = os.path.join(workdir, "server.properties")
    with open(props, "w") as f:
        f.write(f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{cport}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}{ssl_listener}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}{ssl_listener}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL
{ssl_props}
log.dirs={data}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
""")
    log4j = os.path.join(workdir, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                "appender.o.name=O\nappender.o.layout.type=PatternLayout\nappender.o.layout.pattern=%d %p %c - %m%n\n")
    cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    subprocess.run(["java", *TOOL_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp, "kafka.tools.StorageTool",
                    "format", "-t", cluster_id, "-c", props], check=True, stdout=subprocess.DEVNULL)
    return Broker("kafka", ["java", *KAFKA_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp, "kafka.Kafka",
                            props], port, workdir, tls_port=tls_port)


def tool(cp, log4j, main, *args, timeout=1800):
    r = subprocess.run(["java", *TOOL_JVM, f"-Dlog4j2.configurationFile={log4j}", "-cp", cp, main, *args],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"{main} failed ({r.returncode}): {r.stderr[-2000:]}{r.stdout[-2000:]}")
    return r.stdout


def create_topic(cp, log4j, broker, topic, partitions):
    tool(cp, log4j, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", broker.bootstrap, "--create",
         "--topic", topic, "--partitions", str(partitions), "--replication-factor", "1")


def produce(cp, log4j, broker, topic, records, acks, tls=None):
    before = cpu_seconds(broker.proc.pid)
    target = [f"bootstrap.servers={broker.bootstrap}"]
    if tls:
        target = [f"bootstrap.servers=127.0.0.1:{broker.tls_port}", "security.protocol=SSL",
                  f"ssl.truststore.location={tls['truststore']}", "ssl.truststore.type=PKCS12",
                  f"ssl.truststore.password={tls['password']}"]
    out = tool(cp, log4j, "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records",
               str(records), "--record-size", "100", "--throughput", "-1", "--producer-props",
               *target, f"acks={acks}")
    cpu = cpu_seconds(broker.proc.pid) - before
    last = [l for l in out.splitlines() if "records sent" in l][-1]
    m = re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency.*?, (\d+) ms 99th", last)
    return {"rec/s": float(m.group(1)), "MB/s": float(m.group(2)), "avg ms": float(m.group(3)),
            "p99 ms": float(m.group(4)), "cpu s/M": cpu / (records / 1e6)}


def consume(cp, log4j, broker, topic, records):
    before = cpu_seconds(broker.proc.pid)
    out = tool(cp, log4j, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", broker.bootstrap,
               "--topic", topic, "--messages", str(records), "--timeout", "60000")
    cpu = cpu_seconds(broker.proc.pid) - before
    lines = [l for l in out.splitlines() if l and l[0].isdigit()]
    vals = [v.strip() for v in lines[-1].split(",")]
    # start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
    # fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec: rec/s counts from before the group join, fetch rec/s after it
    return {"rec/s": float(vals[5]), "MB/s": float(vals[3]), "join ms": float(vals[6]),
            "fetch rec/s": float(vals[9]), "cpu s/M": cpu / (records / 1e6)}


def latency(cp, log4j, broker, topic, messages):
    out = tool(cp, log4j, "org.apache.kafka.tools.EndToEndLatency", broker.bootstrap, topic, str(messages), "1",
               "100")
    avg = float(re.search(r"Avg latency: ([\d.]+) ms", out).group(1))
    m = re.search(r"Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)", out)
    return {"avg ms": avg, "p50 ms": float(m.group(1)), "p99 ms": float(m.group(2)), "p99.9 ms": float(m.group(3))}


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--latency-messages", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of every case on each system, alternating; the tables give the medians")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="measure from a cold start instead of after one unmeasured pass of each tool")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "side-by-side.md"))
    ap.add_argument("--latency-only", action="store_true", help="skip the throughput figures")
    ap.add_argument("--tls", action="store_true",
                    help="only produce throughput (acks=1, 1 partition) over plain text and over TLS")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally below: no broker outlives the run
    if not os.path.exists(SKIFF_JAR):
        sys.exit("build the jar first: mvn -B -q -DskipTests package")
    cp = kafka_classpath()
    workdir = tempfile.mkdtemp(prefix="skiff-bench-")
    log4j = os.path.join(workdir, "log4j2.properties")
    results = {}  # (figure, case) -> {system: [metrics of each run]}
    brokers = {}

    def record(figure, case, name, metrics):
        results.setdefault((figure, case), {}).setdefault(name, []).append(metrics)
        print(f"{figure} {case} {name}: {metrics}", flush=True)

    try:
        tls = make_tls(workdir) if a.tls else None
        brokers["kafka"] = start_kafka(workdir, cp, tls)
        brokers["skiff"] = start_skiff(workdir, tls)
        order = ["skiff", "kafka"]
        turn = 0  # flips at every case, so neither system always goes first

        def systems():
            nonlocal turn
            turn += 1
            return order if turn % 2 else order[::-1]

        if a.tls:
            for name in order if a.warmup else ():
                for wire in (None, tls):
                    t = f"warmup-{'tls' if wire else 'plain'}"
                    create_topic(cp, log4j, brokers[name], t, 1)
                    produce(cp, log4j, brokers[name], t, a.records // 2, "1", wire)
                print(f"warmed up {name}", flush=True)
            for rep in range(a.repeat):
                for wire in (None, tls):
                    for name in systems():
                        topic = f"tls-{'tls' if wire else 'plain'}-r{rep}"
                        create_topic(cp, log4j, brokers[name], topic, 1)
                        record("produce", "acks=1, 1 partition, " + ("TLS" if wire else "plain text"), name,
                               produce(cp, log4j, brokers[name], topic, a.records, "1", wire))
        if a.warmup and not a.tls:
            # One unmeasured pass of each tool on each broker, so that the figures are of warm brokers, not of
            # whichever JIT compiles the most during a case (both JVMs compile for seconds after each new load).
            for name in order:
                b = brokers[name]
                for parts in () if a.latency_only else (1, 6):
                    create_topic(cp, log4j, b, f"warmup-p{parts}", parts)
                    produce(cp, log4j, b, f"warmup-p{parts}", a.records // 2, "1")
                    consume(cp, log4j, b, f"warmup-p{parts}", a.records // 2)
                create_topic(cp, log4j, b, "warmup-latency", 1)
                latency(cp, log4j, b, "warmup-latency", a.latency_messages)
                print(f"warmed up {name}", flush=True)
        if a.tls:
            peaks = {n: (b.idle_rss, rss_mb(b.proc.pid, "VmHWM")) for n, b in brokers.items()}
            raise _Done()
        cases = [] if a.latency_only else [(acks, parts) for parts in (1, 6) for acks in ("1", "all")]
        for rep in range(a.repeat):
            for acks, parts in cases:
                for name in systems():
                    topic = f"perf-p{parts}-acks{acks}-r{rep}"
                    create_topic(cp, log4j, brokers[name], topic, parts)
                    record("produce", f"acks={acks}, {parts} partition(s)", name,
                           produce(cp, log4j, brokers[name], topic, a.records, acks))
        for rep in range(a.repeat):
            for parts in () if a.latency_only else (1, 6):
                for name in systems():
                    record("consume", f"{parts} partition(s)", name,
                           consume(cp, log4j, brokers[name], f"perf-p{parts}-acks1-r{rep}", a.records))
        for rep in range(a.repeat):
            for name in systems():
                topic = f"latency-r{rep}"
                create_topic(cp, log4j, brokers[name], topic, 1)
                record("end-to-end latency", f"{a.latency_messages} messages, acks=1", name,
                       latency(cp, log4j, brokers[name], topic, a.latency_messages))
        peaks = {n: (b.idle_rss, rss_mb(b.proc.pid, "VmHWM")) for n, b in brokers.items()}
    except _Done:
        pass
    finally:
        for b in brokers.values():
            b.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report = render(results, peaks, a)
    print(report)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(report)


class _Done(Exception):
    """The --tls run has measured all it measures."""


def num(v):
    return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"


def render(results, peaks, a):
    scope = "" if a.latency_only else f"{a.records} records of 100 bytes per producer run; "
    lines = [f"# Skiff vs Apache Kafka 4.1.1, one run ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)",
             "", scope + f"each case run {a.repeat} times on each system, alternating"
             + (", after one unmeasured pass of each tool on each broker" if a.warmup else ", from a cold start")
             + "; the tables give the medians. "
             "Higher is better for rec/s and MB/s, lower for ms and CPU seconds per million records "
             "(broker process only).", ""]
    for (figure, case), by in results.items():
        metrics = list(by[next(iter(by))][0].keys())
        lines += [f"## {figure}: {case}", "", "| metric | Skiff | Kafka | Skiff/Kafka |", "|---|---|---|---|"]
        for m in metrics:
            s = median([r[m] for r in by.get("skiff", [])]) if "skiff" in by else None
            k = median([r[m] for r in by.get("kafka", [])]) if "kafka" in by else None
            ratio = f"{s / k:.2f}" if s is not None and k else "-"
            lines.append(f"| {m} | {num(s)} | {num(k)} | {ratio} |")
        key = "rec/s" if "rec/s" in metrics else "p99 ms"
        runs = zip(by.get("skiff", []), by.get("kafka", []))
        lines += ["", f"Each run, {key} Skiff / Kafka: " + ", ".join(
            f"{s[key]:,.0f} / {k[key]:,.0f}" if key == "rec/s" else f"{s[key]:g} / {k[key]:g}" for s, k in runs), ""]
    if a.tls:
        plain = results.get(("produce", "acks=1, 1 partition, plain text"), {})
        over = results.get(("produce", "acks=1, 1 partition, TLS"), {})
        lines += ["## TLS / plain text (produce rec/s, medians)", "", "| | Skiff | Kafka |", "|---|---|---|"]
        ratio = {n: median([r["rec/s"] for r in over[n]]) / median([r["rec/s"] for r in plain[n]])
                 for n in ("skiff", "kafka") if n in over and n in plain}
        lines += [f"| TLS / plain text | {ratio.get('skiff', 0):.2f} | {ratio.get('kafka', 0):.2f} |", ""]
    lines += ["## Memory (broker RSS)", "", "| | Skiff | Kafka |", "|---|---|---|",
              f"| idle RSS MB | {peaks['skiff'][0]:.0f} | {peaks['kafka'][0]:.0f} |",
              f"| peak RSS MB | {peaks['skiff'][1]:.0f} | {peaks['kafka'][1]:.0f} |", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
