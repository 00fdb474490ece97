#!/usr/bin/env python3
"""Skiff alone, A against B: broker CPU seconds per million records produced, for judging one change.

Starts one standalone Skiff broker (bin/skiff-server, as run.py does) per --jar (default: the jar this tree
builds), gives each --warm unmeasured ProducerPerformance passes, then alternates --runs measured runs between
them (run.py's case: --records records of 100 bytes, acks=1, each to a fresh topic of --partitions partitions),
so that the load other work puts on a shared machine falls on A and B alike. For each run and as medians it
prints the broker's user and system CPU seconds per million records from /proc/<pid>/stat, its minor page faults
per million records (first touches of memory, each a kernel entry), and the CPU split by thread group (scale.py's:
JIT compilers, GC, and the rest, which is mostly the I/O threads). CPU seconds, not throughput, are the figure:
they hold far better than rec/s on a loaded machine. With two brokers it also prints the median of the second's
total over the first's in the same round: the two runs of a round share the machine's state (page-cache
writeback, other load), so the paired ratio resolves smaller differences than the two medians do.

--heap-opts (repeatable, one per --jar, in order) sets SKIFF_HEAP_OPTS for that broker, so the same jar can be
measured against itself with other heap flags.

--attach runs a command (its {pid} replaced by the first broker's) over the measured runs and interrupts it
after them, e.g. --attach 'strace -c -f -o strace.txt -p {pid}' or --attach 'perf stat -e task-clock -p {pid}'.

Usage (from the repository root, after `mvn -o -q -DskipTests package`):
    python3 bench/side-by-side/cpu_ab.py [--jar before=OLD.jar --jar after=NEW.jar] [--partitions 6]
        [--records 1000000] [--runs 5] [--warm 1] [--heap-opts OPTS ...] [--attach COMMAND]
A jar's class-data archive is used when it lies beside it (NAME.jsa), as bin/skiff-server does.
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (broker start, tools, class path)
import scale  # noqa: E402  (/proc readers by thread group)


def minor_faults(pid):
    """The process's minor page faults so far (/proc/<pid>/stat field 10): each first touch of a page of memory,
    a kernel entry that lands in the process's system time."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])


def resident(pid):
    """The broker's resident set now and at its peak, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        kb = {k: v.split()[0] for k, v in (line.split(":", 1) for line in f) if k in ("VmRSS", "VmHWM")}
    return f"RSS {int(kb['VmRSS']) / 1024:.0f} MiB, peak {int(kb['VmHWM']) / 1024:.0f} MiB"


def fmt(row):
    return ", ".join(f"{k} {v:,.0f}" if k in ("rec/s", "faults") else f"{k} {v:.3f}" for k, v in row.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", action="append", default=[], metavar="LABEL=PATH",
                    help="a broker jar to measure, under a label; repeat for A/B (default: this tree's jar)")
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5, help="measured runs on each broker")
    ap.add_argument("--warm", type=int, default=1, help="unmeasured passes on each broker first")
    ap.add_argument("--heap-opts", action="append", default=[], metavar="OPTS",
                    help="SKIFF_HEAP_OPTS for the broker of the --jar in the same place (repeatable)")
    ap.add_argument("--attach", help="a command run over the measured runs, {pid} replaced by a broker's")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally below: no broker outlives the run
    jars = [tuple(j.split("=", 1)) for j in a.jar] or [("this", run.SKIFF_JAR)]
    for _, jar in jars:
        if not os.path.exists(jar):
            sys.exit(f"no jar at {jar}; build it with: mvn -o -q -DskipTests package")
    heaps = a.heap_opts + [None] * (len(jars) - len(a.heap_opts))
    if len(heaps) > len(jars):
        sys.exit("more --heap-opts than brokers")
    cp = run.kafka_classpath()
    workdir = tempfile.mkdtemp(prefix="skiff-cpu-ab-")
    log4j = os.path.join(workdir, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                "appender.o.name=O\nappender.o.layout.type=PatternLayout\nappender.o.layout.pattern=%d %p %c - %m%n\n")
    brokers, attached = {}, None
    rows = {label: [] for label, _ in jars}
    m = a.records / 1e6
    try:
        for (label, jar), heap in zip(jars, heaps):
            d = os.path.join(workdir, label)
            os.makedirs(d)
            run.SKIFF_JAR = jar  # run.start_skiff hands it to bin/skiff-server
            os.environ.pop("SKIFF_HEAP_OPTS", None)
            if heap:
                os.environ["SKIFF_HEAP_OPTS"] = heap  # bin/skiff-server's heap flags, in place of -Xmx1G
            brokers[label] = run.start_skiff(d)
        os.environ.pop("SKIFF_HEAP_OPTS", None)
        for label, b in brokers.items():
            for i in range(a.warm):
                run.create_topic(cp, log4j, b, f"warm-{i}", a.partitions)
                run.produce(cp, log4j, b, f"warm-{i}", a.records, "1")
        if a.attach:
            pid = next(iter(brokers.values())).proc.pid
            attached = subprocess.Popen(shlex.split(a.attach.replace("{pid}", str(pid))))
            time.sleep(1)  # let it attach before the first measured record
        for i in range(a.runs):
            order = list(brokers.items())
            for label, b in order if i % 2 == 0 else order[::-1]:
                topic, pid = f"ab-{i}", b.proc.pid
                run.create_topic(cp, log4j, b, topic, a.partitions)
                u0, s0 = scale.user_system_seconds(pid)
                g0 = scale.thread_groups(pid)
                f0 = minor_faults(pid)
                p = run.produce(cp, log4j, b, topic, a.records, "1")
                u1, s1 = scale.user_system_seconds(pid)
                g1 = scale.thread_groups(pid)
                f1 = minor_faults(pid)
                row = {"user": (u1 - u0) / m, "sys": (s1 - s0) / m, "total": (u1 - u0 + s1 - s0) / m,
                       **{g: (g1[g] - g0[g]) / m for g in g0}, "faults": (f1 - f0) / m, "rec/s": p["rec/s"]}
                rows[label].append(row)
                print(f"run {i} {label}: {fmt(row)}", flush=True)
        for label, b in brokers.items():
            print(f"{label}: broker memory after the runs: {resident(b.proc.pid)}", flush=True)
    finally:
        if attached:
            attached.send_signal(signal.SIGINT)
            attached.wait(30)
        for b in brokers.values():
            b.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    for label, rs in rows.items():
        if rs:
            med = {k: run.median([r[k] for r in rs]) for k in rs[0]}
            print(f"median {label} ({a.partitions} partitions, {len(rs)} runs, CPU s per million records): "
                  f"{fmt(med)}", flush=True)
    if len(rows) == 2:
        (la, ra), (lb, rb) = rows.items()
        pairs = [y["total"] / x["total"] for x, y in zip(ra, rb) if x["total"] > 0]
        if pairs:
            below = sum(1 for q in pairs if q < 1)
            print(f"paired: {lb}/{la} total CPU, median of {len(pairs)} rounds {run.median(pairs):.3f} "
                  f"({lb} lower in {below} of {len(pairs)})", flush=True)


if __name__ == "__main__":
    main()
