#!/usr/bin/env python3
"""Costs at scale, Skiff beside Apache Kafka 4.1.1 in one run: many partitions, many connections, many consumer
groups, and broker CPU per record.

Both brokers are those of run.py (bin/skiff-server; Kafka's start-script JVM settings, -Xmx1G) and stay up for
the whole of a workload; the client side is ScaleDriver.java (kafka-clients 4.1.1, compiled once into target/).
At each step of a workload the step is applied to both brokers, the order alternating, and each broker's
process is measured from /proc: resident memory (VmRSS), open file descriptors, CPU (utime+stime), and the live
heap after a full collection (`jmap -histo:live`, which both JVMs honour).

- partitions: topics of 10 partitions are added up to each step; at each step Metadata for all topics (raw v12
  request, median of 20), one record to every partition (the producer's second pass), then a clean restart:
  spawn to a Metadata answer listing every partition with its leader.
- connections: idle connections (an ApiVersions exchange, then silence) up to each step, while 4 producers send
  200 records/s; memory per connection and the produce latency at each step.
- groups: consumer groups of 3 members (classic protocol, heartbeats every 3 s) up to each step while a producer
  sends 500 records/s: memory per group, p99 produce latency while the step's groups join, and at the end while
  every group rebalances at once (one member of each leaves and another joins).
- cpu: ProducerPerformance and ConsumerPerformance (run.py's cases: --cpu-records records of 100 bytes, 1 and 6
  partitions), after one unmeasured pass, --repeat times alternating; broker CPU seconds per million records.

Every client step has a timeout and the whole run a deadline (--max-minutes); brokers are stopped on any exit.

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/scale.py [--only partitions,connections,groups,cpu] [--partitions 1000,...]
        [--connections 250,...] [--groups 50,...] [--cpu-records 1000000] [--repeat 3] [--out FILE]
Writes FILE (markdown) and FILE with .json (every figure, for scale_chart.py).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (brokers, tools, class path, /proc readers)

DRIVER_CLASSES = os.path.join(HERE, "target", "scale-driver")
TOPIC_PARTITIONS = 10
DEADLINE = [float("inf")]


def remember_command():
    """run.Broker does not keep its command line: keep it, so that a broker can be restarted as it was."""
    original = run.Broker.__init__

    def init(self, name, cmd, port, workdir, env=None, tls_port=None):
        self.cmd, self.env = cmd, env
        original(self, name, cmd, port, workdir, env=env, tls_port=tls_port)

    run.Broker.__init__ = init


def timeout(seconds):
    left = DEADLINE[0] - time.time()
    if left <= 0:
        raise TimeoutError("the run's deadline (--max-minutes) has passed")
    return min(seconds, left)


def compile_driver(cp):
    os.makedirs(DRIVER_CLASSES, exist_ok=True)
    subprocess.run(["javac", "-nowarn", "-d", DRIVER_CLASSES, "-cp", cp, os.path.join(HERE, "ScaleDriver.java")],
                   check=True, capture_output=True, timeout=300)


def driver_cmd(cp, log4j, heap, *args):
    return ["java", f"-Xmx{heap}", "-XX:+UseG1GC", f"-Dlog4j2.configurationFile={log4j}", "-cp",
            f"{DRIVER_CLASSES}:{cp}", "ScaleDriver", *map(str, args)]


def parse(line):
    return {k: (float(v) if re.fullmatch(r"-?[\d.]+", v) else v) for k, v in re.findall(r"(\w+)=(\S+)", line)}


def driver(cp, log4j, *args, heap="1g", limit=900):
    r = subprocess.run(driver_cmd(cp, log4j, heap, *args), capture_output=True, text=True, timeout=timeout(limit))
    results = [l for l in r.stdout.splitlines() if l.startswith("RESULT")]
    if r.returncode != 0 or not results:
        raise RuntimeError(f"ScaleDriver {args[0]} failed ({r.returncode}): {r.stderr[-3000:]}{r.stdout[-2000:]}")
    return parse(results[-1])


class Stepped:
    """A driver run whose steps the harness paces: it prints STEP lines and waits for a line on stdin."""

    def __init__(self, cp, log4j, heap, *args):
        self.proc = subprocess.Popen(driver_cmd(cp, log4j, heap, *args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def next_step(self, limit=600):
        """The figures of the next STEP (or the final RESULT line, with 'result' set)."""
        deadline = time.time() + timeout(limit)
        import select
        while time.time() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1)
            if not ready:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"ScaleDriver exited with {self.proc.returncode}")
                continue
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"ScaleDriver ended early ({self.proc.wait()})")
            if line.startswith("STEP "):
                return parse(line)
            if line.startswith("RESULT "):
                return dict(parse(line), result=True)
        raise TimeoutError("ScaleDriver step timed out")

    def go_on(self):
        self.proc.stdin.write("next\n")
        self.proc.stdin.flush()

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def live_heap_mb(pid):
    """Heap of live objects after a full collection (the histogram's total), in MiB."""
    r = subprocess.run(["jmap", "-histo:live", str(pid)], capture_output=True, text=True, timeout=timeout(300))
    total = [l for l in r.stdout.splitlines() if l.startswith("Total")]
    if not total:
        raise RuntimeError(f"jmap failed: {r.stderr[-500:]}")
    return int(total[-1].split()[2]) / (1 << 20)


def measure(broker):
    pid = broker.proc.pid
    heap = live_heap_mb(pid)
    return {"rss_mb": run.rss_mb(pid), "heap_mb": heap, "fds": fds(pid), "cpu_s": run.cpu_seconds(pid)}


def user_system_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / run.CLK_TCK, int(fields[12]) / run.CLK_TCK


def thread_groups(pid, io=False):
    """CPU seconds (utime+stime) of the JVM's JIT compiler threads, its GC threads, and all the others; with
    io, Skiff's Netty I/O threads (skiff-io-*) apart from the others."""
    groups = {"jit": 0.0, "gc": 0.0, "io": 0.0, "other": 0.0} if io else {"jit": 0.0, "gc": 0.0, "other": 0.0}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended
            continue
        group = ("jit" if "CompilerThre" in name else
                 "gc" if name.startswith(("GC Thread", "G1 ", "VM Thread")) else
                 "io" if io and name.startswith("skiff-io") else "other")
        groups[group] += (int(fields[11]) + int(fields[12])) / run.CLK_TCK
    return groups


def restart(cp, log4j, broker, topics):
    """Clean stop, then spawn to a Metadata answer listing every partition with a leader (seconds)."""
    broker.proc.terminate()
    broker.proc.wait(timeout(300))
    broker.log.close()
    broker.log = open(os.path.join(broker.workdir, f"{broker.name}-restart.log"), "a")
    spawned = time.time()
    broker.proc = subprocess.Popen(broker.cmd, stdout=broker.log, stderr=subprocess.STDOUT, env=broker.env)
    ready = driver(cp, log4j, "await-ready", broker.bootstrap, "t", topics, TOPIC_PARTITIONS, 600)
    return ready["ready_at_ms"] / 1000 - spawned


def partitions_curve(cp, log4j, brokers, steps, record):
    created = 0
    turn = 0
    for step in steps:
        topics = step // TOPIC_PARTITIONS
        turn += 1
        for name in (("skiff", "kafka") if turn % 2 else ("kafka", "skiff")):
            b = brokers[name]
            fig = {"partitions": topics * TOPIC_PARTITIONS}
            fig.update(driver(cp, log4j, "create-topics", b.bootstrap, "t", created, topics, TOPIC_PARTITIONS))
            cpu = run.cpu_seconds(b.proc.pid)
            fig.update(driver(cp, log4j, "produce-all", b.bootstrap, "t", topics, TOPIC_PARTITIONS))
            fig["produce_all_cpu_s"] = run.cpu_seconds(b.proc.pid) - cpu
            fig.update(driver(cp, log4j, "metadata", b.bootstrap, 20))
            fig.update(measure(b))
            fig["start_s"] = restart(cp, log4j, b, topics)
            time.sleep(2)
            after = measure(b)
            fig.update({"restart_" + k: v for k, v in after.items()})
            record("partitions", name, fig)
        created = topics


def connections_curve(cp, log4j, brokers, steps, record):
    for name in ("skiff", "kafka"):
        b = brokers[name]
        d = Stepped(cp, log4j, "1g", "connections", b.bootstrap, ",".join(map(str, steps)))
        try:
            while True:
                fig = d.next_step()
                if fig.get("result"):
                    record("connections-result", name, fig)
                    break
                time.sleep(1)
                fig.update(measure(b))
                record("connections", name, fig)
                d.go_on()
        finally:
            d.close()


def groups_curve(cp, log4j, brokers, steps, record):
    for name in ("kafka", "skiff"):
        b = brokers[name]
        d = Stepped(cp, log4j, "3g", "groups", b.bootstrap, ",".join(map(str, steps)))
        try:
            while True:
                fig = d.next_step(limit=900)
                if fig.get("result"):
                    record("groups-rebalance", name, fig)
                    break
                fig.update(measure(b))
                record("groups", name, fig)
                d.go_on()
        finally:
            d.close()


def cpu_per_record(cp, log4j, brokers, records, repeat, record, warm=1):
    # unmeasured passes first: the figures are of warm brokers. A consume pass is only a few hundred fetch
    # requests, so per-request code reaches C2's thresholds over several passes; --cpu-warm sets how many
    for w in range(warm):
        for name in ("skiff", "kafka"):
            for parts in (1, 6):
                topic = f"cpu-warm{w}-p{parts}"
                run.create_topic(cp, log4j, brokers[name], topic, parts)
                run.produce(cp, log4j, brokers[name], topic, records, "1")
                run.consume(cp, log4j, brokers[name], topic, records)
    turn = 0
    for rep in range(repeat):
        for parts in (1, 6):
            turn += 1
            for name in (("skiff", "kafka") if turn % 2 else ("kafka", "skiff")):
                b, topic = brokers[name], f"cpu-p{parts}-r{rep}"
                run.create_topic(cp, log4j, b, topic, parts)
                u0, s0 = user_system_seconds(b.proc.pid)
                g0 = thread_groups(b.proc.pid)
                p = run.produce(cp, log4j, b, topic, records, "1")
                u1, s1 = user_system_seconds(b.proc.pid)
                g1 = thread_groups(b.proc.pid)
                c = run.consume(cp, log4j, b, topic, records)
                u2, s2 = user_system_seconds(b.proc.pid)
                g2 = thread_groups(b.proc.pid)
                m = records / 1e6
                fig = {"partitions": parts, "produce_cpu_s_per_m": p["cpu s/M"],
                       "produce_user_s_per_m": (u1 - u0) / m, "produce_system_s_per_m": (s1 - s0) / m,
                       "produce_rec_s": p["rec/s"], "consume_cpu_s_per_m": c["cpu s/M"], "consume_rec_s": c["rec/s"],
                       "consume_user_s_per_m": (u2 - u1) / m, "consume_system_s_per_m": (s2 - s1) / m}
                for group in g0:  # where the CPU went: JIT compilers, GC, the rest (I/O threads, timers)
                    fig[f"produce_{group}_s_per_m"] = (g1[group] - g0[group]) / m
                    fig[f"consume_{group}_s_per_m"] = (g2[group] - g1[group]) / m
                record("cpu", name, fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="partitions,connections,groups,cpu")
    ap.add_argument("--partitions", default="1000,2500,5000,10000")
    ap.add_argument("--connections", default="100,250,500,1000")
    ap.add_argument("--groups", default="25,50,100,200")
    ap.add_argument("--cpu-records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpu-warm", type=int, default=1, help="unmeasured passes of the CPU workload first")
    ap.add_argument("--max-minutes", type=float, default=60)
    ap.add_argument("--out", default=os.path.join(run.ROOT, "bench", "results", "scale.md"))
    a = ap.parse_args()
    DEADLINE[0] = time.time() + a.max_minutes * 60
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally below: no broker outlives the run
    if not os.path.exists(run.SKIFF_JAR):
        sys.exit("build the jar first: mvn -B -q -DskipTests package")
    only = set(a.only.split(","))
    remember_command()
    cp = run.kafka_classpath()
    compile_driver(cp)
    workdir = tempfile.mkdtemp(prefix="skiff-scale-")
    log4j = os.path.join(workdir, "log4j2.properties")
    figures = []
    brokers = {}

    def record(workload, name, fig):
        figures.append({"workload": workload, "system": name, **fig})
        print(f"{workload} {name}: {fig}", flush=True)

    def fresh_brokers():
        for b in brokers.values():
            b.stop()
        for name in ("skiff", "kafka"):
            d = os.path.join(workdir, name)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
        brokers["kafka"] = run.start_kafka(os.path.join(workdir, "kafka"), cp)
        brokers["skiff"] = run.start_skiff(os.path.join(workdir, "skiff"))
        shutil.copy(os.path.join(workdir, "kafka", "log4j2.properties"), log4j)
        for name, b in brokers.items():
            record("idle", name, measure(b))

    started = time.time()
    try:
        if "partitions" in only:
            fresh_brokers()
            partitions_curve(cp, log4j, brokers, [int(s) for s in a.partitions.split(",")], record)
        if "connections" in only or "groups" in only:
            fresh_brokers()
            if "connections" in only:
                connections_curve(cp, log4j, brokers, [int(s) for s in a.connections.split(",")], record)
            if "groups" in only:
                groups_curve(cp, log4j, brokers, [int(s) for s in a.groups.split(",")], record)
        if "cpu" in only:
            fresh_brokers()
            cpu_per_record(cp, log4j, brokers, a.cpu_records, a.repeat, record, a.cpu_warm)
    finally:
        for b in brokers.values():
            b.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(), "minutes": (time.time() - started) / 60,
                "load_average": os.getloadavg(),
                "args": dict(vars(a), out=os.path.relpath(a.out, run.ROOT))}
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
            json.dump({"meta": meta, "figures": figures}, f, indent=1)
        report = render(meta, figures)
        with open(a.out, "w") as f:
            f.write(report)
        print(report)


def rows(figures, workload, system):
    return [f for f in figures if f["workload"] == workload and f["system"] == system]


def ratio(s, k):
    return f"{s / k:.2f}" if k else "-"


def render(meta, figures):
    out = [f"# Costs at scale, Skiff vs Apache Kafka 4.1.1 ({meta['date']}, {meta['cores']} cores, "
           f"load average at the end {meta['load_average'][0]:.1f}, {meta['minutes']:.0f} minutes)", "",
           "`python3 bench/side-by-side/scale.py " + " ".join(
               f"--{k.replace('_', '-')} {v}" for k, v in meta["args"].items() if k not in ("out",)) + "`", ""]
    idle = {s: rows(figures, "idle", s) for s in ("skiff", "kafka")}
    if any(rows(figures, "partitions", s) for s in ("skiff", "kafka")):
        out += ["## Partitions (topics of 10)", "",
                "| partitions | system | create s | Metadata all ms (median) | Metadata KiB | produce to all s | "
                "start s | RSS MiB | live heap MiB | heap KiB per added partition | fds | fds after restart |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for s in ("skiff", "kafka"):
            r = rows(figures, "partitions", s)
            for f in r:
                # the slope from the first step: what each further partition costs, without the first
                # connections' and the JIT's fixed costs
                added = f["partitions"] - r[0]["partitions"]
                per = f"{(f['heap_mb'] - r[0]['heap_mb']) * 1024 / added:.1f}" if added else "-"
                out.append(f"| {f['partitions']:.0f} | {s} | {f['create_s']:.1f} | {f['metadata_ms_median']:.1f} | "
                           f"{f['metadata_bytes'] / 1024:.0f} | {f['produce_all_s']:.2f} | {f['start_s']:.1f} | "
                           f"{f['rss_mb']:.0f} | {f['heap_mb']:.1f} | {per} | {f['fds']} | {f['restart_fds']} |")
        out += [""]
    for workload, unit in (("connections", "connection"), ("groups", "group")):
        if not any(rows(figures, workload, s) for s in ("skiff", "kafka")):
            continue
        out += [f"## {workload.capitalize()}", "",
                f"| {workload} | system | RSS MiB | live heap MiB | heap KiB/{unit} | RSS KiB/{unit} | fds | "
                "produce p50 ms | p99 ms | max ms |" + (" join s |" if workload == "groups" else ""),
                "|---|---|---|---|---|---|---|---|---|---|" + ("---|" if workload == "groups" else "")]
        for s in ("skiff", "kafka"):
            r = rows(figures, workload, s)
            if not r:
                continue
            base = r[0]
            for f in r:
                n = f[workload]
                per_heap = (f["heap_mb"] - base["heap_mb"]) * 1024 / n if n else 0
                per_rss = (f["rss_mb"] - base["rss_mb"]) * 1024 / n if n else 0
                out.append(f"| {n:.0f} | {s} | {f['rss_mb']:.0f} | {f['heap_mb']:.1f} | {per_heap:.1f} | "
                           f"{per_rss:.1f} | {f['fds']} | {f.get('lat_p50_ms', 0):.2f} | {f.get('lat_p99_ms', 0):.2f} | "
                           f"{f.get('lat_max_ms', 0):.1f} |" + (f" {f.get('join_s', 0):.1f} |" if workload == "groups"
                                                               else ""))
        out += [""]
    rb = {s: rows(figures, "groups-rebalance", s) for s in ("skiff", "kafka")}
    if rb["skiff"] and rb["kafka"]:
        out += ["All groups rebalancing at once (one member of each leaves, another joins):", "",
                "| system | groups | rebalance s | produce p50 ms | p99 ms | max ms | records | member close ms, median (max) |",
                "|---|---|---|---|---|---|---|---|"]
        for s in ("skiff", "kafka"):
            f = rb[s][0]
            out.append(f"| {s} | {f['rebalance_groups']:.0f} | {f['rebalance_s']:.1f} | "
                       f"{f.get('rebalance_p50_ms', 0):.2f} | {f.get('rebalance_p99_ms', 0):.2f} | "
                       f"{f.get('rebalance_max_ms', 0):.1f} | {f.get('rebalance_n', 0):.0f} | "
                       f"{f.get('close_ms_median', -1):.0f} ({f.get('close_ms_max', -1):.0f}) |")
        out += [""]
    cpu = {s: rows(figures, "cpu", s) for s in ("skiff", "kafka")}
    if cpu["skiff"] and cpu["kafka"]:
        out += ["## Broker CPU per million records (100-byte records, acks=1; /proc/<pid>/stat utime+stime)", "",
                "| partitions | direction | Skiff CPU s/M (runs) | Kafka CPU s/M (runs) | Skiff/Kafka (medians) |",
                "|---|---|---|---|---|"]
        for parts in (1, 6):
            for key, label in (("produce_cpu_s_per_m", "produce"), ("consume_cpu_s_per_m", "consume")):
                sv = [f[key] for f in cpu["skiff"] if f["partitions"] == parts]
                kv = [f[key] for f in cpu["kafka"] if f["partitions"] == parts]
                out.append(f"| {parts} | {label} | {run.median(sv):.3f} ({', '.join(f'{v:.2f}' for v in sv)}) | "
                           f"{run.median(kv):.3f} ({', '.join(f'{v:.2f}' for v in kv)}) | "
                           f"{ratio(run.median(sv), run.median(kv))} |")
        for direction in ("produce", "consume"):  # user time is the broker's code; system time the kernel's work
            split = [(s, f) for s in ("skiff", "kafka") for f in cpu[s] if f"{direction}_user_s_per_m" in f]
            if split:
                out += ["", f"{direction.capitalize()} CPU split (medians, s per million records): " + "; ".join(
                    f"{s} {parts} partition(s): user {run.median([f[direction + '_user_s_per_m'] for t, f in split if t == s and f['partitions'] == parts]):.3f}, "
                    f"system {run.median([f[direction + '_system_s_per_m'] for t, f in split if t == s and f['partitions'] == parts]):.3f}"
                    for s in ("skiff", "kafka") for parts in (1, 6))]
        groups = [(s, f) for s in ("skiff", "kafka") for f in cpu[s] if "produce_jit_s_per_m" in f]
        if groups:
            out += ["", "By thread (medians, CPU s per million records: JIT compiler threads / GC threads / the rest):",
                    "", "| partitions | direction | Skiff jit / gc / rest | Kafka jit / gc / rest | "
                    "Skiff/Kafka without the JIT |", "|---|---|---|---|---|"]
            for parts in (1, 6):
                for d in ("produce", "consume"):
                    med = {s: [run.median([f[f"{d}_{g}_s_per_m"] for t, f in groups if t == s and f["partitions"] == parts])
                               for g in ("jit", "gc", "other")] for s in ("skiff", "kafka")}
                    out.append(f"| {parts} | {d} | " + " | ".join(" / ".join(f"{v:.2f}" for v in med[s])
                                                                   for s in ("skiff", "kafka")) +
                               f" | {ratio(med['skiff'][1] + med['skiff'][2], med['kafka'][1] + med['kafka'][2])} |")
        out += [""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
